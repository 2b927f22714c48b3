import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './design/index.ts';
import './app/shell.css';
import { App } from './app/app.tsx';
import { readServerConfig } from './auth/server-config.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App config={readServerConfig()} />
  </StrictMode>,
);
