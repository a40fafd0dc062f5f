export { ensureWebBuild, viteBuilder, type EnsureWebBuildOptions, type WebBuild, type WebBuilder } from './ensure-web-build.ts';
export { webSourceHash, WEB_SOURCES } from './web-source-hash.ts';
export { launchChromium, chromiumPath, CHROMIUM_FLAGS, type TestBrowser } from './launch-chromium.ts';
