// The benchmark's Socket.IO 4.8 peer, doing DiceRoller's job the way the original architecture planned it:
// POST /rooms -> {"code"}; a socket emits "join" {room, name} (ack {ok}), then "roll" {} (ack {id, seq});
// the server draws 1d20 with a CSPRNG, numbers the roll in its room and emits "roll" to the room.
"use strict";
const http = require("node:http");
const crypto = require("node:crypto");
const { Server } = require("socket.io");

const port = Number(process.argv[2] || 3000);
const rooms = new Map(); // code -> { seq }

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health") {
    res.end("ok");
    return;
  }
  if (req.method === "POST" && req.url === "/rooms") {
    const code = crypto.randomBytes(4).toString("hex").toUpperCase();
    rooms.set(code, { seq: 0 });
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ code }));
    return;
  }
  res.statusCode = 404;
  res.end();
});

const io = new Server(server, { transports: ["websocket"], serveClient: false, perMessageDeflate: false });
io.on("connection", (socket) => {
  socket.on("join", (request, ack) => {
    const room = rooms.get(request && request.room);
    if (!room) {
      ack({ error: "ROOM_NOT_FOUND" });
      return;
    }
    socket.data.room = request.room;
    socket.data.name = String(request.name || "?");
    socket.join(request.room);
    ack({ ok: true });
  });
  socket.on("roll", (_request, ack) => {
    const code = socket.data.room;
    const room = code && rooms.get(code);
    if (!room) {
      ack({ error: "NOT_IN_ROOM" });
      return;
    }
    room.seq += 1;
    const roll = { id: crypto.randomBytes(8).toString("hex"), seq: room.seq, player: socket.data.name, dice: "1d20", total: crypto.randomInt(1, 21) };
    io.to(code).emit("roll", roll);
    ack({ id: roll.id, seq: roll.seq });
  });
});

server.listen(port, "127.0.0.1", () => console.log(`socket.io peer on 127.0.0.1:${port}`));
