/** @jsxImportSource preact */
import { render } from 'preact';
import { App } from './app.tsx';
import { chooseLanguage, loadLanguage } from './i18n/index.ts';

const { language, tag } = chooseLanguage(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
await loadLanguage(language, tag);
const root = document.getElementById('app');
if (root) render(<App />, root);
