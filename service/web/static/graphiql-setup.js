// GraphiQL wired to this service: queries and mutations over HTTP, subscriptions over a WebSocket
// to the same origin, and the bearer token pasted into the headers editor.
(function () {
  "use strict";

  // The example dashboard keeps the token it was given here (this tab only).
  var TOKEN_KEY = "recognition.token";
  var HEADERS_HELP = {
    Authorization: "Bearer <paste a token here: `portal token --email you@example.edu` prints one>",
  };
  var QUERY_HELP = [
    "# The Recognition API. Put your token in the Headers tab below, then run (Ctrl-Enter):",
    "#   subscriptions run over a WebSocket to this same address.",
    "",
    "{ viewer { email name partner { name } } }",
    "",
  ].join("\n");

  var secure = location.protocol === "https:";
  var fetcher = GraphiQL.createFetcher({
    url: location.origin + "/graphql",
    subscriptionUrl: (secure ? "wss://" : "ws://") + location.host + "/graphql",
  });

  // GraphiQL sends the headers as the WebSocket's connection_init payload, where the service reads
  // "authorization" in lower case; over HTTP the case makes no difference.
  function withLowerCaseHeaders(options) {
    if (!options || !options.headers) return options;
    var headers = {};
    Object.keys(options.headers).forEach(function (name) {
      headers[name.toLowerCase()] = options.headers[name];
    });
    return Object.assign({}, options, { headers: headers });
  }

  var token = sessionStorage.getItem(TOKEN_KEY);
  var headers = token ? { Authorization: "Bearer " + token } : HEADERS_HELP;

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: function (params, options) {
        return fetcher(params, withLowerCaseHeaders(options));
      },
      defaultQuery: QUERY_HELP,
      defaultHeaders: JSON.stringify(headers, null, 2),
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
