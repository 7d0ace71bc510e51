// A gzipped tar (ustar) of files, streamed: the archive download of a run's folder. Regular files only
// (symlinks are never followed out of the run folder); each file's size is taken when it is opened.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value.slice(0, length), offset, length, 'utf8');
}

const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';

export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(512);
  // Long paths split at a slash into prefix (155) and name (100).
  let [prefix, base] = ['', name];
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut > 0) [prefix, base] = [name.slice(0, cut), name.slice(cut + 1)];
  }
  field(h, 0, 100, base);
  field(h, 100, 8, '0000644\0');
  field(h, 108, 8, '0000000\0');
  field(h, 116, 8, '0000000\0');
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(Math.floor(mtime.getTime() / 1000), 12));
  field(h, 148, 8, '        ');
  field(h, 156, 1, '0');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  field(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** Streams root/<path> for each path as a .tar.gz under `folder/`. */
export function tarGz(root: string, paths: string[], folder: string): Readable {
  const tar = new PassThrough();
  (async () => {
    for (const path of paths) {
      const file = join(root, path);
      const s = await stat(file).catch(() => undefined);
      if (!s?.isFile()) continue;
      tar.write(tarHeader(`${folder}/${path}`, s.size, s.mtime));
      let written = 0;
      for await (const chunk of createReadStream(file, { end: Math.max(0, s.size - 1) })) {
        const c = chunk as Buffer;
        written += c.length;
        if (!tar.write(c)) await new Promise((r) => tar.once('drain', r));
      }
      // A file that shrank while being read is padded to the size its header promised.
      if (written < s.size) tar.write(Buffer.alloc(s.size - written));
      if (s.size % 512) tar.write(Buffer.alloc(512 - (s.size % 512)));
    }
    tar.end(Buffer.alloc(1024));
  })().catch((error) => tar.destroy(error as Error));
  return tar.pipe(createGzip());
}
