// Build the browser files the tenant serves into ../static/vendor/, from the pinned npm packages.
//
// auth0-lock publishes only CommonJS (lib/), so esbuild bundles lib/browser.js, the entry Auth0's
// own CDN build starts from (it sets window.Auth0Lock and window.Auth0LockPasswordless, and
// loads the core-js polyfills Lock's own build bundles, pinned in devDependencies).
// auth0-js and mermaid publish browser builds, which are copied unchanged.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

// Mermaid, pinned here rather than in package.json: the tenant serves only its browser build
// (dist/mermaid.min.js, which bundles all it needs), but npm cannot install a package without
// its dependencies, and with them `npm ci` wrote 15,400 files (260 MB, about 10 s more CPU
// on a fresh clone, bench/README.md) instead of 6,100. So its tarball alone comes through
// `npm pack` (npm's registry and cache, as for `npm ci`) and must match the integrity that
// package-lock.json held for it
// (https://docs.npmjs.com/cli/v11/configuring-npm/package-lock-json#packages).
const MERMAID = {
  version: "12.3.0",
  // As npm prints it (`npm view mermaid@12.3.0 dist.integrity`).
  integrity:
    "sha512-4113TdXeLAsMruJ79OpFL5O8+LTFXhQqZ260rF3tgUmiNAtRm4Uume04I+65PRN6yZ69J4f8rVYWW8zRk65UYw==",
};

const out = new URL("../static/vendor/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const version = (name) =>
  JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")).version;

await build({
  entryPoints: ["node_modules/auth0-lock/lib/browser.js"],
  outfile: `${out}lock.min.js`,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2017",
  // React's production build, as on Auth0's CDN.
  define: { "process.env.NODE_ENV": '"production"', global: "window" },
  legalComments: "linked",
  // auth0-js is `"type": "module"`, so its UMD `main` (dist/auth0.min.js) would be read as
  // an ES module without exports, and Lock's `require("auth0-js").default` would be
  // undefined (the hosted-page path reads `.default.version`): use its ES module build.
  plugins: [
    {
      name: "auth0-js-esm",
      setup(b) {
        b.onResolve({ filter: /^auth0-js$/ }, () => ({
          path: new URL("node_modules/auth0-js/dist/auth0.min.esm.js", import.meta.url).pathname,
        }));
      },
    },
  ],
  logLevel: "warning",
});
copyFileSync("node_modules/auth0-js/dist/auth0.min.js", `${out}auth0.min.js`);

// Lock's language files, as Auth0's CDN serves them at /js/lock/{version}/{lang}.js: Lock
// loads one at start (lib/i18n.js: syncLang), even for English. Each is JSONP around the
// dictionary the package ships in lib/i18n/.
const require = createRequire(import.meta.url);
const i18n = `${out}lock-i18n/`;
mkdirSync(i18n, { recursive: true });
for (const file of readdirSync("node_modules/auth0-lock/lib/i18n")) {
  const lang = file.replace(/\.js$/, "");
  const dictionary = require(`./node_modules/auth0-lock/lib/i18n/${file}`).default;
  writeFileSync(
    `${i18n}${lang}.js`,
    `Auth0.registerLanguageDictionary(${JSON.stringify(lang)}, ${JSON.stringify(dictionary)});\n`,
  );
}
copyMermaid(`${out}mermaid.min.js`);

console.log(
  `Built ${out}: auth0-lock ${version("auth0-lock")}, auth0-js ${version("auth0-js")}, ` +
    `mermaid ${MERMAID.version}`,
);

// Fetch the pinned mermaid tarball, check its integrity, and copy its browser build to `to`.
function copyMermaid(to) {
  const folder = mkdtempSync(join(tmpdir(), "mermaid-"));
  try {
    const pack = ["pack", `mermaid@${MERMAID.version}`, "--json", "--prefer-offline"];
    const [packed] = JSON.parse(
      execFileSync("npm", [...pack, "--pack-destination", folder], { encoding: "utf8" }),
    );
    const tarball = join(folder, packed.filename);
    const digest = createHash("sha512").update(readFileSync(tarball)).digest("base64");
    const integrity = `sha512-${digest}`;
    if (integrity !== MERMAID.integrity) {
      throw new Error(`mermaid@${MERMAID.version}: integrity ${integrity}, not the pinned one`);
    }
    const browserBuild = "package/dist/mermaid.min.js";
    execFileSync("tar", ["-xzf", tarball, "-C", folder, browserBuild]);
    copyFileSync(join(folder, browserBuild), to);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
