// vitest global setup: writes the generated src/report/render-source.ts (the report renderer as
// JavaScript text) when it is missing or stale, as `npm run build` does.
export default async function setup(): Promise<void> {
  const gen = new URL('../../src/report/gen-source.mjs', import.meta.url).href;
  const { writeRenderSource } = (await import(gen)) as { writeRenderSource: () => void };
  writeRenderSource();
}
