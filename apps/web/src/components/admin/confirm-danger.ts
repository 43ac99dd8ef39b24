import { ElMessageBox } from 'element-plus';

export interface ConfirmDangerOptions {
  title: string;
  /** What will happen, naming the object (`Delete secret DB_PASSWORD? Jobs that use it will fail.`). */
  message: string;
  /** The confirm button's label (`Delete`, `Revoke`). */
  confirm: string;
}

/**
 * Asks before a destructive action; `true` when confirmed. Enter confirms, Escape cancels (the
 * dialog starts on Cancel's side: a stray Enter on the page never deletes).
 */
export async function confirmDanger(options: ConfirmDangerOptions): Promise<boolean> {
  try {
    await ElMessageBox.confirm(options.message, options.title, {
      confirmButtonText: options.confirm,
      cancelButtonText: 'Cancel',
      type: 'warning',
      confirmButtonClass: 'el-button--danger',
      autofocus: false,
    });
    return true;
  } catch {
    return false;
  }
}
