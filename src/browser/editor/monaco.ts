// Monaco, trimmed to what the playground uses: the core editor API plus the
// features a person editing kernel C and diffs expects. Importing
// "monaco-editor" whole would pull in every language and TypeScript's worker
// (several MB more on first visit).
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/features/codicon/register";
import "monaco-editor/features/codeEditor/register";
import "monaco-editor/features/find/register";
import "monaco-editor/features/folding/register";
import "monaco-editor/features/bracketMatching/register";
import "monaco-editor/features/hover/register";
import "monaco-editor/features/gotoError/register";
import "monaco-editor/features/gotoLine/register";
import "monaco-editor/features/quickOutline/register";
import "monaco-editor/features/quickCommand/register";
import "monaco-editor/features/documentSymbols/register";
import "monaco-editor/features/wordHighlighter/register";
import "monaco-editor/features/multicursor/register";
import "monaco-editor/features/clipboard/register";
import "monaco-editor/features/contextmenu/register";
import "monaco-editor/features/comment/register";
import "monaco-editor/features/linesOperations/register";
import "monaco-editor/features/cursorUndo/register";
import "monaco-editor/features/readOnlyMessage/register";
import "monaco-editor/languages/definitions/cpp/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import { findFunctions } from "../../common/c/functions.ts";

export { monaco };

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

let initialised = false;

/** Registers the worker, the diff language, C outline and the theme; idempotent. */
export function setupMonaco(): void {
  if (initialised) return;
  initialised = true;
  self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

  monaco.languages.register({ id: "diff", extensions: [".diff", ".patch"] });
  monaco.languages.setMonarchTokensProvider("diff", {
    tokenizer: {
      root: [
        [/^(---|\+\+\+) .*$/, "diff.file"],
        [/^diff .*$|^index .*$/, "diff.meta"],
        [/^@@[^@]*@@/, { token: "diff.hunk", next: "@section" }],
        [/^\+.*$/, "diff.add"],
        [/^-.*$/, "diff.del"],
        [/^\\.*$/, "diff.meta"],
        [/^ .*$/, "diff.context"],
        [/^.*$/, "diff.comment"],
      ],
      section: [[/.*$/, { token: "diff.section", next: "@pop" }]],
    },
  });

  // Ctrl+Shift+O / "Go to symbol" lists the functions of a C file.
  monaco.languages.registerDocumentSymbolProvider("c", {
    provideDocumentSymbols(model) {
      return findFunctions(model.getValue()).map((f) => {
        const range = new monaco.Range(f.line, 1, f.line, model.getLineMaxColumn(f.line));
        return { name: f.name, detail: "", kind: monaco.languages.SymbolKind.Function, tags: [], range, selectionRange: range };
      });
    },
  });

  monaco.editor.defineTheme("klp-dark", {
    base: "vs-dark",
    inherit: true,
    rules: [
      { token: "diff.file", foreground: "e6e6e6", fontStyle: "bold" },
      { token: "diff.meta", foreground: "8b93a1" },
      { token: "diff.hunk", foreground: "c792ea" },
      { token: "diff.section", foreground: "82aaff" },
      { token: "diff.add", foreground: "7ee787" },
      { token: "diff.del", foreground: "ff7b72" },
      { token: "diff.context", foreground: "c9d1d9" },
      { token: "diff.comment", foreground: "8b93a1", fontStyle: "italic" },
    ],
    colors: {
      "editor.background": "#11151c",
      "editorGutter.background": "#11151c",
      "editor.lineHighlightBackground": "#1a2030",
      "editorLineNumber.foreground": "#4a5263",
      "editorLineNumber.activeForeground": "#a0a8b8",
    },
  });
}
