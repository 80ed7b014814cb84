/**
 * The gateway's own explorer: GraphiQL, bundled from the project's npm dependencies by Vite, for
 * browsers that cannot reach Apollo's CDN (or GRAPHQL_EXPLORER=graphiql). The landing page
 * (src/explorer/landing-page.ts) loads this module and hands it its configuration: the same
 * endpoint, document and headers the Sandbox would get.
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { readExplorerConfig } from './config.js';

const config = readExplorerConfig(document);
const target = document.getElementById(config.target);
if (!target) throw new Error(`#${config.target} is missing from the page`);
target.dataset.explorer = 'graphiql';
const fetcher = createGraphiQLFetcher({ url: config.endpoint });
const headers = Object.keys(config.headers).length > 0 ? JSON.stringify(config.headers, null, 2) : undefined;

createRoot(target).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      initialQuery={config.document}
      {...(headers ? { initialHeaders: headers } : {})}
      defaultEditorToolsVisibility={headers ? 'headers' : false}
      // A demo token is fresh at every start: the page's own headers win over yesterday's.
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>flecs-graph</GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
