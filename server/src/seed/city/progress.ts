import { SingleBar } from 'cli-progress';
import type { CityProgress, CityStage } from './city-build';

export interface CityReporter {
  onProgress: (progress: CityProgress) => void;
  log: (line: string) => void;
  stop: () => void;
}

/**
 * Shows the generator's stages on stderr: a progress bar on a terminal; elsewhere (CI, a log file) a
 * line when a stage starts and one per tenth of the households, so that logs stay short.
 */
export function cityReporter(stream: NodeJS.WriteStream = process.stderr): CityReporter {
  const interactive = stream.isTTY === true;
  let bar: SingleBar | null = null;
  let stage: CityStage | null = null;
  let lastTenth = -1;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  return {
    onProgress: ({ stage: current, done, total }) => {
      if (current !== stage) {
        stopBar();
        stage = current;
        lastTenth = -1;
        if (interactive) {
          bar = new SingleBar({
            stream,
            format: `  city ${current.padEnd(20)} [{bar}] {percentage}% {value}/{total} {duration_formatted}`,
            hideCursor: true,
            clearOnComplete: false,
          });
          bar.start(total, done);
        } else {
          stream.write(`city: ${current}…\n`);
        }
        return;
      }
      if (bar) {
        bar.setTotal(total);
        bar.update(done);
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`city: ${current} ${done.toLocaleString('en')}/${total.toLocaleString('en')}\n`);
      }
    },
    log: (line) => {
      // A stage's log line means it is done: show the bar full before leaving it.
      bar?.update(bar.getTotal());
      stopBar();
      stream.write(`${line}\n`);
    },
    stop: stopBar,
  };
}
