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

// What a person can act on, instead of the browser's "Failed to fetch" (or a proxy's error page while
// the server restarts): the request never got an answer from the API.
export const UNREACHABLE = "Cannot reach the server; check your connection and try again.";
export const SESSION_ENDED = "Your session has ended. Sign in again to go on where you left off.";

export class UnreachableError extends Error {
  constructor() {
    super(UNREACHABLE);
  }
}

// A request refused as not signed in (an expired token): the portal is told (whenSessionEnds) and asks
// for a sign-in where the person was; the action that met it stops with this.
export class SessionEndedError extends ApiError {
  constructor(error) {
    super({ message: SESSION_ENDED, extensions: error.extensions });
  }
}

let sessionEnded = () => false;

// `handler(error)` is called when a request is refused as not signed in, and answers whether it
// takes the person to sign in again (so the error becomes a SessionEndedError).
export function whenSessionEnds(handler) {
  sessionEnded = handler;
}

async function post(body, headers) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { Accept: "application/graphql-response+json", Authorization: `Bearer ${token() || ""}`, ...headers },
      body,
    });
  } catch {
    throw new UnreachableError();
  }
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new UnreachableError();
  }
  if (answer.errors && answer.errors.length) {
    const error = new ApiError(answer.errors[0]);
    if (error.code === "UNAUTHENTICATED" && sessionEnded(error)) throw new SessionEndedError(answer.errors[0]);
    throw error;
  }
  return answer.data;
}

export async function graphql(query, variables) {
  return post(JSON.stringify({ query, variables }), { "Content-Type": "application/json" });
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

// One WebSocket for every subscription, signed in with the token in connection_init. A socket that
// closes (the server restarting, a network change) or cannot be opened is opened again, sooner at
// first: 0.5 s, 1 s, 2 s … then every 10 s, for about four minutes; each subscription then starts
// again (and the server answers it with where things stand now). Not when the sign-in was refused
// (4403): the same token would be refused again.
const RECONNECT_ATTEMPTS = 30;
const SIGN_IN_REFUSED = 4403;
const NORMAL_CLOSURE = 1000;
// The sinks of the subscriptions running, told `reconnecting()` when their socket is lost and
// `reconnected()` once it is back.
const listening = new Set();

function waitBeforeReconnecting(attempt) {
  // A little at random, so that the tabs of everyone do not come back all at once after a restart.
  const wait = Math.min(10_000, 500 * 2 ** attempt) + Math.random() * 500;
  return new Promise((resolve) => setTimeout(resolve, wait));
}

function connection() {
  if (!socket) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = window.graphqlWs.createClient({
      url: `${scheme}//${location.host}/graphql`,
      connectionParams: () => ({ authorization: `Bearer ${token()}` }),
      retryAttempts: RECONNECT_ATTEMPTS,
      retryWait: waitBeforeReconnecting,
      // A socket that could not be opened ends with an error Event, not a CloseEvent: tried again too.
      shouldRetry: (reason) => !(reason && reason.code === SIGN_IN_REFUSED),
      on: {
        closed: (event) => {
          if (event && event.code === NORMAL_CLOSURE) return;
          for (const sink of listening) if (sink.reconnecting) sink.reconnecting();
        },
        connected: (_socket, _payload, again) => {
          if (again) for (const sink of listening) if (sink.reconnected) sink.reconnected();
        },
      },
    });
  }
  return socket;
}

export function subscribe(query, variables, sink) {
  const watched = {
    ...sink,
    error: (error) => {
      listening.delete(watched);
      sink.error(error);
    },
    complete: () => {
      listening.delete(watched);
      sink.complete();
    },
  };
  listening.add(watched);
  const stop = connection().subscribe({ query, variables }, watched);
  return () => {
    listening.delete(watched);
    stop();
  };
}

// A file for a mutation, as a GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec):
// `operations` (the variables with null where the file goes), `map` (part "0" to that path), then the
// file as part "0". The browser writes the multipart body and its boundary; no Content-Type is set here.
export async function upload(query, variables, path, file, field) {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables }));
  form.append("map", JSON.stringify({ 0: [path] }));
  form.append("0", file, file.name);
  const data = await post(form, {});
  const payload = data[field];
  if (payload.errors.length) throw new PayloadError(payload.errors);
  return payload;
}
