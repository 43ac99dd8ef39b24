/**
 * The ids of a document's jobs, as probe gives them: the job's `id`, else its name, made unique
 * with `-1`, `-2`… (`generateUniqueID`). `needs` names these ids.
 */
export function jobIds(jobs: readonly { id?: unknown; name?: unknown }[]): string[] {
  const taken = new Set<string>();
  const explicit = new Set(jobs.flatMap((job) => (typeof job.id === 'string' && job.id !== '' ? [job.id] : [])));
  return jobs.map((job) => {
    if (typeof job.id === 'string' && job.id !== '') {
      taken.add(job.id);
      return job.id;
    }
    const base = typeof job.name === 'string' && job.name !== '' ? job.name : 'job';
    let id = base;
    for (let n = 1; taken.has(id) || explicit.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}

/**
 * The node ids of a job's steps: the step's `id`, else `step_<index>` (as probe names a step
 * without one); a repeated id gets `-2`, `-3`… so every step keeps its own journal key.
 */
export function stepIds(steps: readonly { id?: unknown }[]): string[] {
  const taken = new Set<string>();
  return steps.map((step, index) => {
    const base = typeof step.id === 'string' && step.id !== '' ? step.id : `step_${index}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}
