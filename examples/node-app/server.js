const http = require("http");

http
  .createServer((request, response) => {
    response.end(request.url === "/health" ? "ok" : "hello\n");
  })
  .listen(3000);
