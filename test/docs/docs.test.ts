import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';

/**
 * The documentation as its readers meet it: links that lead somewhere, a README that fits a
 * screenful or two, every variable the code reads documented (and nothing documented that the code
 * does not read), every `npm run` that exists, and no lab notes.
 */
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const ALL_MARKDOWN = [...PAGES, 'examples/web-dashboard/README.md'];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Lines outside fenced code blocks, with their numbers. */
function prose(text: string): Array<{ n: number; line: string }> {
  let fenced = false;
  const out: Array<{ n: number; line: string }> = [];
  text.split('\n').forEach((line, i) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    else if (!fenced) out.push({ n: i + 1, line });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { line } of prose(read(file))) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Names of environment variables the code reads: `env.X`, `process.env.X`, `read…(env, 'X'`. */
function variablesTheCodeReads(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of walk(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:process\.env|\benv)\.([A-Z][A-Z0-9_]+)|read[A-Za-z]*\((?:process\.env|env), '([A-Z][A-Z0-9_]+)'/g))
      names.add(m[1] ?? m[2]);
  }
  return names;
}

describe('the documentation', () => {
  it('should keep the README to 200 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  it.each(PAGES)('%s: every relative link and anchor should resolve', (file) => {
    const broken: string[] = [];
    for (const { n, line } of prose(read(file))) {
      for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto
        const [path, anchor] = target.split('#');
        const resolved = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
        if (!existsSync(join(ROOT, resolved))) broken.push(`${file}:${n} ${target} (no such file)`);
        else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${file}:${n} ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(ALL_MARKDOWN)('%s: no line over 200 characters outside tables and code', (file) => {
    const long = prose(read(file)).filter(({ line }) => line.length > 200 && !line.trimStart().startsWith('|'));
    expect(long.map(({ n, line }) => `${n}: ${line.slice(0, 60)}…`)).toEqual([]);
  });

  it('should document in docs/configuration.md every variable the code reads, and only those', () => {
    const page = read('docs/configuration.md');
    const documented = new Set<string>();
    for (const { line } of prose(page)) {
      const cell = /^\| ([^|]+) \|/.exec(line)?.[1] ?? '';
      for (const m of cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) documented.add(m[1]);
    }
    for (const m of page.matchAll(/`([A-Z][A-Z0-9_]+)` \(`\d+`/g)) documented.add(m[1]); // prose such as `EXAMPLE_PORT` (`4020`, …)
    const read_ = variablesTheCodeReads();
    expect([...read_].filter((name) => !documented.has(name)).sort()).toEqual([]);
    // OTEL_* are read by the OpenTelemetry SDK itself, not by our code.
    expect([...documented].filter((name) => !read_.has(name) && !name.startsWith('OTEL_')).sort()).toEqual([]);
  });

  it('should document every npm script (pre and post hooks run by themselves)', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const docs = ALL_MARKDOWN.map(read).join('\n');
    expect(scripts.filter((name) => !/^(pre|post)/.test(name) && !docs.includes(`npm run ${name}`) && !docs.includes(`npm ${name}`))).toEqual([]);
  });

  it('should name only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = ALL_MARKDOWN.flatMap((file) => [...read(file).matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => `${file}: ${m[1]}`));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((entry) => !scripts.includes(entry.split(': ')[1]))).toEqual([]);
  });

  it('should say how things are: no rounds, issue numbers or dated narrative outside the performance results', () => {
    const found: string[] = [];
    for (const file of PAGES) {
      for (const { n, line } of prose(read(file))) {
        if (file === 'docs/performance.md' && /^\d{4}-\d{2}-\d{2} · /.test(line)) continue; // the results header
        if (/\b[Rr]ound \d+\b|\b[Ii]ssue \d+\b|\(issue \d+|first sketch|\bused before|the library first planned/.test(line))
          found.push(`${file}:${n} ${line.slice(0, 80)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('should tell no story of how the code came to be: no "we tried", "used to", "previously", gains of past runs', () => {
    const story =
      /\bwe (tried|found|measured|saw|chose|switched|replaced|removed)\b|\bused to\b|\bpreviously\b|\bformerly\b|\bat first\b|\bonce read\b|\bin the past\b|\bdoubled the\b|(^|[\s(])\+\d+(\.\d+)? ?%/i;
    const found: string[] = [];
    for (const file of PAGES) {
      if (file === 'docs/performance.md' || file === 'CHANGELOG.md') continue; // measurements and release history are their subject
      for (const { n, line } of prose(read(file))) if (story.test(line)) found.push(`${file}:${n} ${line.slice(0, 80)}`);
    }
    expect(found).toEqual([]);
  });

  it('should name in docs/architecture.md every file at the top of src/ and every folder', () => {
    const page = read('docs/architecture.md');
    const entries = readdirSync(join(ROOT, 'src'), { withFileTypes: true });
    const unnamed = entries
      .map((e) => `src/${e.name}`)
      .filter((path) => !page.includes(path) && !(/^src\/demo[\w-]*\.ts$/.test(path) && page.includes('src/demo*.ts')));
    expect(entries.length).toBeGreaterThan(10);
    expect(unnamed).toEqual([]);
  });

  it("should list in CONTRIBUTING.md's test tiers exactly the folders of test/ that hold tests, and name each in the npm test row", () => {
    const page = read('CONTRIBUTING.md');
    const tiers = [...page.matchAll(/^\| (\w+) \| `test\/(\w+)\/` \|/gm)].map((m) => [m[1], m[2]]);
    const withTests = readdirSync(join(ROOT, 'test'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && readdirSync(join(ROOT, 'test', e.name)).some((f) => f.endsWith('.test.ts')))
      .map((e) => e.name);
    expect(tiers.map(([, folder]) => folder).sort()).toEqual(withTests.sort());
    const testRow = /^\| `npm test` \|.*$/m.exec(page)?.[0] ?? '';
    expect(tiers.map(([tier]) => tier).filter((tier) => !testRow.includes(tier))).toEqual([]);
  });

  it("should link the glossary where a page first uses one of the project's words", () => {
    const glossary = read('docs/architecture.md');
    const table = glossary.slice(glossary.indexOf('## Words used in these docs'));
    // "caller" is also plain English, used everywhere: the glossary explains it, pages need not link it.
    const words = [...table.matchAll(/^\| ([a-z][a-z ]+) \|/gm)].map((m) => m[1]).filter((w) => w !== 'word' && w !== 'caller');
    expect(words).toEqual(expect.arrayContaining(['admission', 'budget', 'floor', 'memo', 'prepared path', 'single flight']));
    const unlinked: string[] = [];
    for (const file of PAGES.filter((f) => f !== 'docs/architecture.md' && f !== 'CHANGELOG.md')) {
      const text = prose(read(file))
        .filter(({ line }) => !line.startsWith('#'))
        .map(({ line }) => line.replace(/`[^`]*`/g, '``'))
        .join('\n');
      for (const word of words) {
        const first = new RegExp(`(\\[)?\\b${word.replace(' ', '[ -]')}\\b(\\]\\([^)]*words-used-in-these-docs\\))?`, 'i').exec(text);
        if (first && !first[2]) unlinked.push(`${file}: ${word}`);
      }
    }
    expect(unlinked).toEqual([]);
  });

  it('should quote the measured figures in one place: ratios against the floor and peak RSS only in docs/performance.md, everywhere else a link to it', () => {
    const quoted: string[] = [];
    for (const file of [...ALL_MARKDOWN, 'CONTRIBUTING.md', 'deploy/kubernetes/base/deployment.yaml', 'deploy/kubernetes/base/configmap.yaml']) {
      if (file === 'docs/performance.md') continue;
      read(file)
        .split('\n')
        .forEach((line, i) => {
          // A ratio to the floor (0.67×) or a peak/RSS figure in MB.
          if (/\d\.\d+×/.test(line) || /(peak|RSS)[^|.]{0,40}\d+\s*MB|\d+\s*MB[^|.]{0,30}(peak|RSS)/i.test(line))
            quoted.push(`${file}:${i + 1} ${line.trim().slice(0, 100)}`);
        });
    }
    expect(quoted).toEqual([]);
  });

  it("should quote in docs/performance.md the range of the results table's ratios at 20 ms for the cases that call the Console", () => {
    const page = read('docs/performance.md');
    const results = page.slice(page.indexOf('## Results'), page.indexOf('## Against the targets'));
    const ratios = results
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      // | case | latency | conns | gw | floor | ratio | … | calls/op gw / floor | …
      .filter((cells) => cells[2] === '20 ms' && Number(cells[11]?.split(' / ')[0]) > 0)
      .map((cells) => Number(cells[6].replace('×', '')));
    expect(ratios.length).toBeGreaterThan(5);
    const quoted = /ratios of the cases that call the Console are (\d\.\d+)–(\d\.\d+)×/.exec(page.replace(/\s*\n\s*/g, ' '));
    expect(quoted?.slice(1).map(Number)).toEqual([Math.min(...ratios), Math.max(...ratios)]);
  });

  it('should list in docs/runtime.md exactly the exit codes src/index.ts uses (and 130/143 for a second signal)', () => {
    const table = read('docs/runtime.md')
      .split('\n')
      .filter((line) => /^\s*\| `\d+`/.test(line));
    const documented = new Set(table.flatMap((line) => [...line.split('|')[1].matchAll(/`(\d+)`/g)].map((m) => Number(m[1]))));
    const exit = /const EXIT = \{([^}]*)\}/.exec(read('src/index.ts'))![1];
    const used = new Set([...exit.matchAll(/:\s*(\d+)/g)].map((m) => Number(m[1])));
    expect([...documented].sort()).toEqual([...used, 130, 143].sort());
  });
});
