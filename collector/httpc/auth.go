package httpc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// tokenSource supplies the bearer token of a request.
type tokenSource interface {
	token(ctx context.Context) (string, error)
	// invalidate forgets tok after the upstream refused it, and reports
	// whether asking again may give a different one.
	invalidate(tok string) bool
}

// bearerSource is a static token, read again on every request so that a
// rotated file or variable is picked up.
type bearerSource struct{ s secretSource }

func (b bearerSource) token(context.Context) (string, error) {
	v, err := b.s.read()
	if err != nil {
		return "", source.Errorf(catalog.ReasonOther, "cannot read the bearer token: %w", err)
	}
	return v, nil
}

func (bearerSource) invalidate(string) bool { return false }

const (
	// tokenEarly renews an OAuth2 token this long before it expires, so a
	// token does not expire between the check and the upstream's check.
	tokenEarly = 30 * time.Second
	// maxTokenBytes caps a token response; real ones are a few KiB.
	maxTokenBytes = 1 << 20
)

// oauth2Source runs the client credentials grant and caches the token.
type oauth2Source struct {
	c        *Client
	cfg      *OAuth2
	secret   secretSource
	tokenURL string
	shown    string // tokenURL for logs: no query, no credentials
	op       string
	bucket   *bucket
	now      func() time.Time // tests move time

	sem chan struct{} // one fetch at a time, yet waiting callers can give up

	mu  sync.Mutex
	tok string
	exp time.Time // zero: no expiry announced, valid until refused
	// inForm is set once the server refused HTTP Basic client credentials
	// and accepted them in the form body (RFC 6749 §2.3.1 allows either).
	inForm bool
}

func newOAuth2Source(c *Client, o *OAuth2) *oauth2Source {
	s := secretSource{value: o.ClientSecret, file: o.ClientSecretFile, env: o.ClientSecretEnv}
	// The secret is read at every token fetch: an unreadable one fails
	// runs (and says why), not the daemon's start.
	u, _ := url.Parse(o.TokenURL) // checked by Validate
	return &oauth2Source{
		c:        c,
		cfg:      o,
		secret:   s,
		tokenURL: u.String(),
		shown:    display(u),
		op:       fmt.Sprintf("get an OAuth2 token from %q", display(u)),
		bucket:   c.limits.bucketFor(u, c.cfg.RateLimit, c.cfg.Burst),
		now:      time.Now,
		sem:      make(chan struct{}, 1),
	}
}

func (o *oauth2Source) cached() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tok != "" && (o.exp.IsZero() || o.now().Before(o.exp)) {
		return o.tok
	}
	return ""
}

func (o *oauth2Source) token(ctx context.Context) (string, error) {
	if t := o.cached(); t != "" {
		return t, nil
	}
	select {
	case o.sem <- struct{}{}:
	case <-ctx.Done():
		return "", source.Errorf(ctxReason(ctx.Err()), "cannot %s: %w", o.op, ctx.Err())
	}
	defer func() { <-o.sem }()
	// Another caller may have fetched it while this one waited.
	if t := o.cached(); t != "" {
		return t, nil
	}
	return o.fetch(ctx)
}

func (o *oauth2Source) invalidate(tok string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tok == tok {
		o.tok, o.exp = "", time.Time{}
	}
	return true
}

func (o *oauth2Source) fetch(ctx context.Context) (string, error) {
	secret, err := o.secret.read()
	if err != nil {
		return "", source.Errorf(catalog.ReasonOther, "cannot %s: client secret: %w", o.op, err)
	}
	o.mu.Lock()
	inForm := o.inForm
	o.mu.Unlock()

	tr, err := o.request(ctx, secret, inForm)
	if !inForm {
		// Like golang.org/x/oauth2's auto-detection: servers that do not take
		// Basic credentials answer 400 or 401; try the form once.
		if s := statusOf(tr.resp); s == http.StatusBadRequest || s == http.StatusUnauthorized {
			o.c.log.Debug("token endpoint refused HTTP Basic client credentials, trying them in the form", "token_url", o.shown)
			if tr2, err2 := o.request(ctx, secret, true); err2 == nil {
				tr, err = tr2, nil
				o.mu.Lock()
				o.inForm = true
				o.mu.Unlock()
			}
		}
	}
	if err != nil {
		return "", err
	}

	now := o.now()
	var exp time.Time
	if tr.expiresIn > 0 {
		// Renew tokenEarly before expiry, or half way for short-lived tokens.
		life := time.Duration(tr.expiresIn * float64(time.Second))
		exp = now.Add(max(life-tokenEarly, life/2))
	}
	o.mu.Lock()
	o.tok, o.exp = tr.accessToken, exp
	o.mu.Unlock()
	o.c.log.Debug("fetched OAuth2 token", "token_url", o.shown, "expires_in", tr.expiresIn)
	return tr.accessToken, nil
}

type tokenResult struct {
	resp        *resty.Response
	accessToken string
	expiresIn   float64 // seconds; 0 when absent
}

// request posts one client credentials request. The returned resp (body
// closed) lets fetch see the status of a refusal.
func (o *oauth2Source) request(ctx context.Context, secret string, inForm bool) (tokenResult, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(o.cfg.Scopes) > 0 {
		form.Set("scope", strings.Join(o.cfg.Scopes, " "))
	}
	if inForm {
		form.Set("client_id", o.cfg.ClientID)
		form.Set("client_secret", secret)
	}
	resp, err := o.c.send(ctx, http.MethodPost, o.tokenURL, o.op, o.bucket, func(r *resty.Request) {
		r.SetHeader("Accept", "application/json")
		r.SetFormDataFromValues(form)
		if !inForm {
			// RFC 6749 §2.3.1: form-encode both parts before Basic encoding.
			cred := url.QueryEscape(o.cfg.ClientID) + ":" + url.QueryEscape(secret)
			r.SetHeader("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
		}
	})
	res := tokenResult{resp: resp}
	if err != nil {
		return res, err
	}
	body := resp.RawBody()
	defer func() { _ = body.Close() }() // read side: nothing to lose once the body is read
	var tr struct {
		AccessToken string      `json:"access_token"`
		TokenType   string      `json:"token_type"`
		ExpiresIn   json.Number `json:"expires_in"` // some servers send "3600"
		Error       string      `json:"error"`
	}
	lr := &limitedReader{r: body, n: maxTokenBytes, limit: maxTokenBytes, op: o.op}
	if err := json.NewDecoder(lr).Decode(&tr); err != nil {
		var se *source.Error
		if errors.As(err, &se) {
			return res, err
		}
		// The JSON error may quote the body, which holds the token: drop it.
		return res, source.Errorf(catalog.ReasonDecode, "cannot %s: the answer is not a JSON token response", o.op)
	}
	if tr.AccessToken == "" {
		msg := "the answer has no access_token"
		if isOAuthCode(tr.Error) {
			msg += " (error " + tr.Error + ")"
		}
		return res, source.Errorf(catalog.ReasonDecode, "cannot %s: %s", o.op, msg)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return res, source.Errorf(catalog.ReasonDecode, "cannot %s: unsupported token_type %q", o.op, tr.TokenType)
	}
	if strings.ContainsAny(tr.AccessToken, "\r\n") {
		return res, source.Errorf(catalog.ReasonDecode, "cannot %s: malformed access_token", o.op)
	}
	res.accessToken = tr.AccessToken
	if tr.ExpiresIn != "" {
		if v, err := strconv.ParseFloat(string(tr.ExpiresIn), 64); err == nil && v > 0 {
			res.expiresIn = v
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	return res, nil
}

// isOAuthCode reports whether s looks like an RFC 6749 error code
// ("invalid_client"), safe to repeat in an error message.
func isOAuthCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}
