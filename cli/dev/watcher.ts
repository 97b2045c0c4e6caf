// Watches the files of an app for `rover dev`: one fs.watch per directory (editors often
// save by writing a new file and renaming it over the old one, which a watch on the file
// itself would lose), filtered to the paths that matter, debounced so a burst of events
// (an editor writing several times) gives one call.
import { watch, existsSync, type FSWatcher } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

export interface WatchSet {
  /** Files whose change means a rebuild: the modules of the app, its .env. */
  files: string[];
  /**
   * Paths that do not exist yet but would change the build if they appeared: the places a
   * require that found nothing looks (`util.lua`, `lib/util/init.lua`).
   */
  candidates: string[];
}

export class Watcher {
  private readonly onChange: () => void;
  private readonly debounceMs: number;
  private readonly watchers = new Map<string, FSWatcher>();
  private files = new Set<string>();
  private candidates: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(onChange: () => void, debounceMs = 30) {
    this.onChange = onChange;
    this.debounceMs = debounceMs;
  }

  /** Watches the directories of `set` (and only those). */
  update(set: WatchSet): void {
    this.files = new Set(set.files);
    this.candidates = set.candidates;
    const dirs = new Set<string>();
    for (const f of set.files) dirs.add(existingDir(dirname(f)));
    for (const c of set.candidates) dirs.add(existingDir(dirname(c)));
    for (const [dir, w] of this.watchers) {
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) if (!this.watchers.has(dir)) this.watchDir(dir);
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private watchDir(dir: string): void {
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: true }, (_event, name) => {
        if (name === null || this.relevant(join(dir, name.toString()))) this.schedule();
      });
    } catch {
      return; // Gone already: the next update watches its parent.
    }
    // A watched directory that is removed ends its watcher; the parent is watched on the next update.
    w.on("error", () => {
      w.close();
      if (this.watchers.get(dir) === w) this.watchers.delete(dir);
      this.schedule();
    });
    this.watchers.set(dir, w);
  }

  private relevant(path: string): boolean {
    if (this.files.has(path) || path.endsWith(".lua") || basename(path) === ".env") return true;
    // A directory on the way to a candidate (`lib` for lib/util.lua) was created or removed.
    return this.candidates.some((c) => c.startsWith(path + sep));
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange();
    }, this.debounceMs);
  }
}

/** `dir` or its nearest ancestor that exists. */
function existingDir(dir: string): string {
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}
