// Package httpc is the one HTTP client every upstream source uses (one-stop
// system, national public service portal, VNeID).
//
// Government servers are fragile and sometimes slow, so every request goes
// through the same guard rails (docs/design.md §6):
//
//   - a per-attempt timeout, and retries with capped exponential backoff and
//     jitter on transport errors, 429 and 5xx (never on other 4xx), honouring
//     Retry-After (seconds or HTTP date) up to retry_max_wait;
//   - a token bucket per upstream host:port, shared by every Client of one
//     loaded config (Limits), so two sources reading the same system do not add
//     up their rates, while a reload's new rate_limit takes effect;
//   - a response size cap, also on streamed bodies;
//   - TLS verification on, with an optional CA bundle added to the system pool;
//   - bearer tokens (inline, file or environment variable) or OAuth2 client
//     credentials (Keycloak compatible), held in Secret values that never print.
//
// Every error is a *source.Error whose Reason is one of the catalog's error
// reasons (http_429, http_5xx, http_4xx, too_large, transport, timeout), so the
// scheduler can count it in govpulse_source_errors_total without parsing text.
// Error messages name the URL without its query string or credentials and
// never contain a token.
//
// The client is built on github.com/go-resty/resty/v2. Its retry conditions
// replace the default one, so the condition here retries transport errors
// explicitly (resty's own default retries transport errors only, and any
// added condition replaces it); Retry-After is handled through resty's
// RetryAfter hook, which resty otherwise ignores.
package httpc
