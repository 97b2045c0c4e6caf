// The peer for the HTTP benchmark: the example's static JSON route written by hand in
// Fastify, with the same JSON body. Usage: node fastify-app.ts <port>
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/", async () => ({ service: "todos", version: "1.0" }));
app.get("/todos/:id", async (req) => ({
  id: Number((req.params as { id: string }).id),
  title: "Write the Rover README",
  done: false,
  tags: ["docs"],
}));
await app.listen({ port: Number(process.argv[2]), host: "127.0.0.1" });
process.stdout.write("ready\n");
