import { ElMessageBox } from 'element-plus';

export interface ConfirmDangerOptions {
  title: string;
  /** What will happen, naming the object (`Delete secret DB_PASSWORD? Jobs that use it will fail.`). */
  message: string;
  /** The confirm button's label (`Delete`, `Revoke`). */
  confirm: string;
}

/**
 * Asks before a destructive action; `true` when confirmed. The confirm button has the focus, so
 * Enter confirms; Escape (or Cancel, or a click outside) cancels.
 */
export async function confirmDanger(options: ConfirmDangerOptions): Promise<boolean> {
  try {
    await ElMessageBox.confirm(options.message, options.title, {
      confirmButtonText: options.confirm,
      cancelButtonText: 'Cancel',
      type: 'warning',
      confirmButtonClass: 'el-button--danger',
    });
    return true;
  } catch {
    return false;
  }
}
