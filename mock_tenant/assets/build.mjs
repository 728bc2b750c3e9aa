// Build the browser files the tenant serves into ../static/vendor/, from the pinned npm packages.
//
// auth0-lock publishes only CommonJS (lib/), so esbuild bundles lib/browser.js, the entry Auth0's
// own CDN build starts from (it sets window.Auth0Lock and window.Auth0LockPasswordless, and
// loads the core-js polyfills Lock's own build bundles, pinned in devDependencies).
// auth0-js and mermaid publish browser builds, which are copied unchanged.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

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
copyFileSync("node_modules/mermaid/dist/mermaid.min.js", `${out}mermaid.min.js`);

console.log(
  `Built ${out}: auth0-lock ${version("auth0-lock")}, auth0-js ${version("auth0-js")}, ` +
    `mermaid ${version("mermaid")}`,
);
