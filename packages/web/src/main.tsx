/** @jsxImportSource preact */
import { render } from 'preact';
import { App } from './app.tsx';
import { chooseLanguage, setLanguage } from './i18n/index.ts';

const { language, tag } = chooseLanguage(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
setLanguage(language, tag);
const root = document.getElementById('app');
if (root) render(<App />, root);
