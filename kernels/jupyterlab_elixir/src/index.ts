/**
 * Elixir syntax highlighting for JupyterLab 4.
 *
 * JupyterLab 4 edits code with CodeMirror 6 and ships no Elixir language of
 * its own: notebook cells of the `elixir` kernel (language_info name
 * "elixir", mimetype "text/x-elixir") would show as plain text. This plugin
 * registers Livebook's Lezer grammar for Elixir (npm `codemirror-lang-elixir`)
 * with JupyterLab's editor language registry, so that code cells, `.ex`/`.exs`
 * files and ```elixir blocks in Markdown are highlighted with JupyterLab's own
 * theme colours. The grammar is loaded lazily, the first time an Elixir editor
 * opens.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-elixir:language',
  description: 'Elixir syntax highlighting (CodeMirror 6) for notebooks and editors.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (_app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'elixir',
      displayName: 'Elixir',
      alias: ['ex', 'exs'],
      mime: ['text/x-elixir'],
      extensions: ['ex', 'exs'],
      async load() {
        const { elixir } = await import('codemirror-lang-elixir');
        return elixir();
      }
    });
  }
};

export default plugin;
