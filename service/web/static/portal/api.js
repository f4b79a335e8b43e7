// The public GraphQL API: queries and mutations over HTTP, subscriptions over one graphql-ws socket.
// The token lives in this tab only (sessionStorage); GraphiQL on this origin reads it from there too.

const TOKEN_KEY = "recognition.token";
let socket = null;

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value.replace(/^\s*Bearer\s+/i, "").trim());
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  if (socket) socket.dispose();
  socket = null;
}

// A one-click sign-in address (`make run` prints one) carries the token in the fragment, which a
// browser never sends: keep it in the tab and take it out of the address bar and history.
export function takeTokenFromAddress() {
  const match = /^#token=([^&]+)$/.exec(location.hash);
  if (!match) return;
  keepToken(decodeURIComponent(match[1]));
  history.replaceState(history.state, "", location.pathname + location.search);
}

export class ApiError extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.extensions && error.extensions.code;
  }
}

export async function graphql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json",
      Authorization: `Bearer ${token() || ""}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length) throw new ApiError(body.errors[0]);
  return body.data;
}

// A mutation's payload: its field-level `errors` become one Error carrying them all.
export class PayloadError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join(" "));
    this.errors = errors;
  }
}

export async function mutate(query, variables, field) {
  const payload = (await graphql(query, variables))[field];
  if (payload.errors.length) throw new PayloadError(payload.errors);
  return payload;
}

// One WebSocket for every subscription, signed in with the token in connection_init.
export function subscribe(query, variables, sink) {
  if (!socket) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = window.graphqlWs.createClient({
      url: `${scheme}//${location.host}/graphql`,
      connectionParams: () => ({ authorization: `Bearer ${token()}` }),
    });
  }
  return socket.subscribe({ query, variables }, sink);
}

// A file for a mutation, as a GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec):
// `operations` (the variables with null where the file goes), `map` (part "0" to that path), then the
// file as part "0". The browser writes the multipart body and its boundary; no Content-Type is set here.
export async function upload(query, variables, path, file, field) {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables }));
  form.append("map", JSON.stringify({ 0: [path] }));
  form.append("0", file, file.name);
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { Accept: "application/graphql-response+json", Authorization: `Bearer ${token() || ""}` },
    body: form,
  });
  const body = await response.json();
  if (body.errors && body.errors.length) throw new ApiError(body.errors[0]);
  const payload = body.data[field];
  if (payload.errors.length) throw new PayloadError(payload.errors);
  return payload;
}
