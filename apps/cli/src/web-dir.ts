import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The web UI built with this installation (`apps/web/dist`, made by `npm run build`), which the
 * control plane serves at `/` unless `FLOTILLA_WEB_DIR`/`webDir` names another. `undefined` when
 * it was not built (the server then says so at `/`).
 */
export function builtWebDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@flotilla/web/package.json');
    const dist = path.join(path.dirname(manifest), 'dist');
    return existsSync(path.join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}
