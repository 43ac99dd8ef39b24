import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { HighlightStyle, bracketMatching, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { tags } from '@lezer/highlight';

/**
 * CodeMirror 6 with YAML, coloured with Element Plus variables so one style serves light and
 * dark. This module is only reached through a dynamic import (`YamlEditor.vue`): CodeMirror is a
 * chunk of its own, loaded when a page first shows a document.
 */
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--el-color-primary)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--el-color-success)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--el-color-warning)' },
  {
    tag: [tags.comment, tags.lineComment, tags.blockComment],
    color: 'var(--el-text-color-secondary)',
    fontStyle: 'italic',
  },
  { tag: [tags.keyword, tags.typeName, tags.labelName], color: 'var(--el-color-danger)' },
  { tag: [tags.punctuation, tags.separator, tags.meta], color: 'var(--el-text-color-regular)' },
]);

const theme = EditorView.theme({
  '&': {
    color: 'var(--el-text-color-primary)',
    backgroundColor: 'var(--el-bg-color)',
    border: '1px solid var(--el-border-color)',
    borderRadius: 'var(--el-border-radius-base)',
    fontSize: '13px',
  },
  '&.cm-focused': { outline: '2px solid var(--el-color-primary)', outlineOffset: '-1px' },
  '.cm-content': {
    fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
    caretColor: 'var(--el-text-color-primary)',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--el-fill-color-light)',
    color: 'var(--el-text-color-secondary)',
    borderRight: '1px solid var(--el-border-color-lighter)',
  },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--el-fill-color)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--el-color-primary-light-7)',
  },
  '.cm-cursor': { borderLeftColor: 'var(--el-text-color-primary)' },
  '.cm-scroller': { overflow: 'auto' },
});

export interface YamlEditorOptions {
  parent: HTMLElement;
  doc: string;
  readOnly: boolean;
  /** An accessible name for the editing area. */
  label: string;
  onChange?: ((doc: string) => void) | undefined;
}

/** What `YamlEditor.vue` needs of an editor it created. */
export interface YamlEditorHandle {
  /** Replaces the whole text (a different version was chosen). */
  setDoc(doc: string): void;
  /** Puts the cursor at a 1-based line and column, scrolls there and focuses the editor. */
  goTo(line: number, column: number): void;
  destroy(): void;
}

export function createYamlEditor(options: YamlEditorOptions): YamlEditorHandle {
  const extensions: Extension[] = [
    lineNumbers(),
    foldGutter(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    bracketMatching(),
    yaml(),
    syntaxHighlighting(highlight),
    theme,
    // Read-only stays focusable: the keyboard can move through the text, select and copy it.
    EditorState.readOnly.of(options.readOnly),
    EditorView.contentAttributes.of({ 'aria-label': options.label }),
  ];
  if (!options.readOnly) {
    // Tab indents; Escape then Tab leaves the editor (CodeMirror's own keyboard escape hatch).
    extensions.push(history(), indentOnInput(), keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]));
  }
  const onChange = options.onChange;
  if (onChange !== undefined) {
    extensions.push(
      EditorView.updateListener.of((update) => update.docChanged && onChange(update.state.doc.toString())),
    );
  }
  const view = new EditorView({ parent: options.parent, state: EditorState.create({ doc: options.doc, extensions }) });
  return {
    setDoc(doc) {
      if (doc === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
    },
    goTo(line, column) {
      const target = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
      const pos = Math.min(target.from + Math.max(column - 1, 0), target.to);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}
