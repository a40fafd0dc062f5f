export { ensureWebBuild, viteBuilder, type EnsureWebBuildOptions, type WebBuild, type WebBuilder } from './ensure-web-build.ts';
export { webSourceHash, WEB_SOURCES } from './web-source-hash.ts';
