// PostGraphile 5 (the amber preset) over the benchmark's database, for bench/api_load.py only.
//   DATABASE_URL=postgres://… SECRET=… PORT=… node server.mjs
// A request's bearer token is checked (HS256, the service's secret) and its claims go into the
// transaction's settings, where bench/postgraphile/schema.sql's functions read who is asking.
import { createServer } from "node:http";
import jwt from "jsonwebtoken";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const secret = process.env.SECRET;
const port = Number(process.env.PORT);

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
  grafast: {
    explain: false,
    context(requestContext) {
      const header = requestContext.node?.req?.headers?.authorization ?? "";
      const claims = jwt.verify(header.replace(/^Bearer /, ""), secret, { algorithms: ["HS256"] });
      return {
        pgSettings: {
          "jwt.claims.user_id": String(claims.sub),
          "jwt.claims.partner_id": String(claims.partner),
        },
      };
    },
  },
  grafserv: { port, graphqlPath: "/graphql", graphiql: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.once("listening", () => console.log(`listening on ${port}`));
serv.addTo(server).then(() => server.listen(port, "127.0.0.1"));
