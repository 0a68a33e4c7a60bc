// Preloaded into the server under soak (NODE_OPTIONS=--expose-gc --require this file); no part of the
// server. On SIGUSR2 it collects garbage and writes process.memoryUsage() to WANJIA_MEMORY_PROBE, so
// that the soak compares the live heap at start and end rather than whatever garbage awaits collection.
const fs = require('node:fs');

const file = process.env.WANJIA_MEMORY_PROBE;
if (file) {
  process.on('SIGUSR2', () => {
    if (typeof global.gc === 'function') global.gc();
    const usage = process.memoryUsage();
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), gc: typeof global.gc === 'function', ...usage }));
    fs.renameSync(`${file}.tmp`, file);
  });
}
