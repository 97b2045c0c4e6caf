// fixtures/apps/site: HTML pages from templates (helpers on rover.html, for/if/elseif/else,
// expressions), api.html with a string, a form posted as multipart and as urlencoded,
// redirects (302 after a post, 301, 307), file uploads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useAppServer } from "./app-server.ts";

const HTML_CT = "text/html; charset=utf-8";

describe("site app", () => {
  const app = useAppServer("site");
  const get = (path: string, init?: RequestInit) =>
    fetch(app.server.url + path, { redirect: "manual", ...init });

  it("renders the home page through nested templates and helpers", async () => {
    const r = await get("/");
    assert.equal(r.headers.get("content-type"), HTML_CT);
    assert.equal(
      await r.text(),
      "<!doctype html><title>Blog</title><main><ul>\n" +
        '<li><a href="/posts/hello">1. Hello, Rover</a> <span class="tag">intro</span> <span class="tag">news</span></li>\n' +
        '<li class="draft">Unfinished (draft)</li>\n' +
        "</ul></main>",
    );
  });

  it("template expressions: fields, #, .., library calls; api.html:status with a string", async () => {
    let r = await get("/posts/hello");
    assert.equal(await r.text(), "<h1>Hello, Rover</h1><p>First post.</p><p>2 tags: intro, news</p>");
    r = await get("/posts/none");
    assert.deepEqual(
      [r.status, r.headers.get("content-type"), await r.text()],
      [404, HTML_CT, "<h1>Not found</h1>"],
    );
  });

  it("posts the contact form (multipart and urlencoded) and redirects", async () => {
    const form = new FormData();
    form.set("email", "a@example.com");
    form.set("text", "hello");
    let r = await get("/contact", { method: "POST", body: form });
    assert.deepEqual([r.status, r.headers.get("location"), await r.text()], [302, "/contact?sent=1", ""]);
    r = await get("/contact", { method: "POST", body: new URLSearchParams({ email: "b@example.com" }) });
    assert.equal(r.status, 302);
    r = await get("/contact", { method: "POST", body: new URLSearchParams({ text: "no email" }) });
    assert.deepEqual([r.status, await r.text()], [422, "<p>email required</p>"]);
    r = await get("/contact?sent=1");
    assert.equal(await r.text(), '<p class="ok">Thanks!</p><form method="post"></form><p>2 messages</p>');
  });

  it("uploads files: file, files, multipart, binary data kept", async () => {
    const form = new FormData();
    form.set("avatar", new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: "image/png" }), "me.png");
    form.append("docs", new Blob(["a"]), "a.txt");
    form.append("docs", new Blob(["bb"]), "b.txt");
    form.set("title", "T");
    const r = await get("/upload", { method: "POST", body: form });
    assert.deepEqual(await r.json(), {
      name: "me.png",
      size: 4,
      type: "image/png",
      first_byte: 0x89,
      fields: { title: "T" },
      count: 2,
    });
    const bad = await get("/upload", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "x",
    });
    assert.deepEqual(await bad.json(), {
      error: "Failed to parse multipart data: Missing boundary in Content-Type header",
    });
    const wrong = await get("/upload", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    assert.equal(wrong.status, 415);
  });

  it("templates read numbers, escapes, long strings and comments as Lua does", async () => {
    const r = await fetch(app.server.url + "/tpl/lexer");
    assert.equal(await r.text(), "AA\u00e9|32|ab|1|2|x]]y|3.5|cd");
    const bad = await fetch(app.server.url + "/tpl/double_else");
    assert.equal(bad.status, 500);
    await new Promise((res) => setTimeout(res, 50));
    assert.match(app.server.stdout(), /Template rendering failed: 'end' expected near 'else'/);
  });

  it("templates: a Lua keyword is a syntax error; a guard error inside is still a 400", async () => {
    let r = await fetch(app.server.url + "/tpl/keyword");
    assert.deepEqual([r.status, await r.json()], [500, { error: "Internal Server Error" }]);
    await new Promise((res) => setTimeout(res, 50));
    assert.match(app.server.stdout(), /Template rendering failed: unexpected symbol near 'break'/);
    r = await fetch(app.server.url + "/tpl/guarded");
    assert.deepEqual(
      [r.status, await r.json()],
      [400, { errors: [{ field: "name", message: "Field 'name' is required", type: "required" }] }],
    );
  });

  it("redirects: permanent and explicit status carry Location and no body", async () => {
    let r = await get("/old");
    assert.deepEqual([r.status, r.headers.get("location"), r.headers.get("content-type")], [301, "/", null]);
    r = await get("/moved");
    assert.deepEqual([r.status, r.headers.get("location")], [307, "/contact"]);
  });
});
