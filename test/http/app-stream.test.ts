// fixtures/apps/stream: a chunked CSV export (producer called until nil), a stream with
// custom headers, and server-sent events framed as ROVER_API.md §3.8 (retry, ids, events,
// comments, JSON data), including a producer error that ends the stream cleanly and is logged.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useAppServer } from "./app-server.ts";

describe("stream app", () => {
  const app = useAppServer("stream");

  it("streams a CSV export chunk by chunk", async () => {
    const r = await fetch(app.server.url + "/export");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/csv");
    assert.equal(r.headers.get("transfer-encoding"), "chunked");
    const lines = (await r.text()).split("\n");
    assert.equal(lines.length, 52);
    assert.deepEqual([lines[0], lines[1], lines[50]], ["id,name", "1,item1", "50,item50"]);
  });

  it("stream_with_headers adds the headers", async () => {
    const r = await fetch(app.server.url + "/export/tagged");
    assert.deepEqual(
      [r.headers.get("content-type"), r.headers.get("x-export"), await r.text()],
      ["text/plain", "v1", "one chunk"],
    );
  });

  it("frames SSE events exactly", async () => {
    const r = await fetch(app.server.url + "/progress");
    assert.equal(r.headers.get("content-type"), "text/event-stream");
    assert.equal(r.headers.get("cache-control"), "no-cache");
    assert.equal(
      await r.text(),
      "retry:1500\n\nid:0\ndata:starting\ndata:now\n\n" +
        'id:p2\nevent:progress\ndata:{"step":2,"of":3}\n\n' +
        'id:p3\nevent:progress\ndata:{"step":3,"of":3}\n\n' +
        ":keepalive\n\nid:1\ndata:done\n\n",
    );
  });

  it("a producer error ends the SSE stream cleanly and is logged", async () => {
    const r = await fetch(app.server.url + "/progress/failing");
    assert.equal(r.headers.get("x-feed"), "f");
    assert.equal(await r.text(), "id:0\nevent:a\ndata:ok\n\n");
    await new Promise((res) => setTimeout(res, 50));
    assert.match(app.server.stdout(), /SSE producer error: .*app\.lua:\d+: feed broke/);
  });

  it("line breaks cannot forge SSE fields: multi-line comments stay comments, an event name ends the stream", async () => {
    const r = await fetch(app.server.url + "/progress/inject");
    assert.equal(await r.text(), ":two\n:lines\n\nid:0\ndata:ok\n\n");
    await new Promise((res) => setTimeout(res, 50));
    assert.match(app.server.stdout(), /SSE producer error: SSE event name must not contain a line break/);
  });
});
