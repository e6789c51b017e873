package httpc

import (
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/govpulse/govpulse/collector/source"
	"io/fs"
	"log/slog"
	"math"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// Defaults of the http block, applied by SetDefaults to zero fields.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultRetries      = 3
	DefaultRetryWait    = 500 * time.Millisecond
	DefaultRetryMaxWait = 10 * time.Second
	DefaultRateLimit    = 2.0 // requests per second per host
	DefaultBurst        = 2
	DefaultMaxBodyBytes = 64 << 20
)

// Config is the `http:` block of a source in the YAML config.
type Config struct {
	// URL is the base URL; request paths are appended to its path. Required.
	URL string `yaml:"url"`
	// Timeout bounds one attempt, from dialling to the end of the body
	// (including what a Stream callback reads).
	Timeout time.Duration `yaml:"timeout"`
	// Retries is the number of retries after the first attempt; unset means
	// DefaultRetries, 0 means none.
	Retries *int `yaml:"retries"`
	// RetryWait is the base of the exponential backoff.
	RetryWait time.Duration `yaml:"retry_wait"`
	// RetryMaxWait caps the backoff and a server's Retry-After.
	RetryMaxWait time.Duration `yaml:"retry_max_wait"`
	// RateLimit is requests per second to the URL's host:port, shared by every
	// Client of one config to that host (Limits); when they disagree the
	// lowest rate wins.
	RateLimit float64 `yaml:"rate_limit"`
	// Burst is how many requests may go at once before RateLimit applies.
	Burst int `yaml:"burst"`
	// MaxBodyBytes caps a response body; a bigger one is a too_large error.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// CAFile is a PEM bundle added to the system roots (for provincial CAs).
	CAFile string `yaml:"ca_file"`
	// InsecureSkipVerify disables TLS verification; a warning is logged.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// BearerToken, BearerTokenFile and BearerTokenEnv are the three ways to give a
	// static bearer token; at most one may be set. The file is re-read on
	// every request so a rotated token is picked up without a reload.
	BearerToken     Secret `yaml:"bearer_token"`
	BearerTokenFile string `yaml:"bearer_token_file"`
	BearerTokenEnv  string `yaml:"bearer_token_env"`
	// OAuth2 enables the client credentials grant instead of a bearer token.
	OAuth2 *OAuth2 `yaml:"oauth2"`
	// Headers are added to every request to URL (not to the token endpoint).
	Headers map[string]string `yaml:"headers"`
}

// OAuth2 configures the client credentials grant (RFC 6749 §4.4), as served by
// Keycloak at https://<sso>/realms/<realm>/protocol/openid-connect/token.
type OAuth2 struct {
	TokenURL string `yaml:"token_url"`
	ClientID string `yaml:"client_id"`
	// ClientSecret, ClientSecretFile and ClientSecretEnv: exactly one is required.
	// The file and variable are read again on every token fetch.
	ClientSecret     Secret   `yaml:"client_secret"`
	ClientSecretFile string   `yaml:"client_secret_file"`
	ClientSecretEnv  string   `yaml:"client_secret_env"`
	Scopes           []string `yaml:"scopes"`
}

// Secret is a string that never prints: fmt, slog, JSON and YAML all show
// "<secret>". Convert with string(s) where the value is really needed.
type Secret string

const redacted = "<secret>"

// String hides the value from %v, %s and %+v.
func (Secret) String() string { return redacted }

// GoString hides the value from %#v.
func (Secret) GoString() string { return redacted }

// LogValue hides the value from every slog handler.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON hides the value when a config is dumped as JSON.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalYAML hides the value when a config is dumped as YAML.
func (Secret) MarshalYAML() (any, error) { return redacted, nil }

// MarshalText hides the value from any other text encoder.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Int returns a pointer to n, for Config.Retries literals.
func Int(n int) *int { return &n }

// SetDefaults fills zero fields with the Default constants.
func (c *Config) SetDefaults() {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == nil {
		c.Retries = Int(DefaultRetries)
	}
	if c.RetryWait == 0 {
		c.RetryWait = DefaultRetryWait
	}
	if c.RetryMaxWait == 0 {
		c.RetryMaxWait = DefaultRetryMaxWait
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
}

// Validate returns every problem in c, in field order. It checks c as
// SetDefaults would leave it, so it may be called before or after SetDefaults.
// It reads the files and environment variables named, so that `govpulse
// check` warns of a secret it cannot read (a warning, not an error: the
// daemon's environment may have what check's shell lacks).
func (c *Config) Validate() source.Problems {
	var errs source.Problems
	add := errs.Add
	d := *c
	d.SetDefaults()

	if msg := checkURL(d.URL); msg != "" {
		add("url", "%s", msg)
	}
	for _, f := range []struct {
		path string
		v    time.Duration
	}{{"timeout", d.Timeout}, {"retry_wait", d.RetryWait}, {"retry_max_wait", d.RetryMaxWait}} {
		if f.v < 0 {
			add(f.path, "must not be negative")
		}
	}
	if *d.Retries < 0 {
		add("retries", "must not be negative")
	}
	if d.RetryWait > 0 && d.RetryMaxWait > 0 && d.RetryMaxWait < d.RetryWait {
		add("retry_max_wait", "must not be less than retry_wait (%s)", d.RetryWait)
	}
	// !(x > 0) also catches NaN.
	if !(d.RateLimit > 0) || math.IsInf(d.RateLimit, 0) {
		add("rate_limit", "must be a positive number of requests per second")
	}
	if d.Burst < 0 {
		add("burst", "must not be negative")
	}
	if d.MaxBodyBytes < 0 {
		add("max_body_bytes", "must not be negative")
	}
	if d.CAFile != "" {
		if pem, err := os.ReadFile(d.CAFile); err != nil {
			add("ca_file", "%s", readError(d.CAFile, err))
		} else if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			add("ca_file", "no PEM certificate in %q", d.CAFile)
		}
	}

	bearer := secretSource{value: d.BearerToken, file: d.BearerTokenFile, env: d.BearerTokenEnv}
	switch bearer.count() {
	case 0:
	case 1:
		if path, msg := bearer.check("bearer_token"); msg != "" {
			errs.Warn(path, "%s", msg+secretLater)
		}
	default:
		add("bearer_token", "only one of bearer_token, bearer_token_file and bearer_token_env may be set")
	}

	if d.OAuth2 != nil {
		d.OAuth2.validate(bearer.count() > 0, &errs)
	}
	validateHeaders(d.Headers, bearer.count() > 0 || d.OAuth2 != nil, &errs)
	return errs
}

// validate reports the oauth2 block's problems (paths under oauth2.).
func (o *OAuth2) validate(bearerSet bool, errs *source.Problems) {
	add := errs.Add
	if bearerSet {
		add("oauth2", "cannot be used together with a bearer token")
	}
	if o.TokenURL == "" {
		add("oauth2.token_url", "is required")
	} else if msg := checkURL(o.TokenURL); msg != "" {
		add("oauth2.token_url", "%s", msg)
	}
	if o.ClientID == "" {
		add("oauth2.client_id", "is required")
	}
	secret := secretSource{value: o.ClientSecret, file: o.ClientSecretFile, env: o.ClientSecretEnv}
	switch secret.count() {
	case 0:
		add("oauth2.client_secret", "one of client_secret, client_secret_file and client_secret_env is required")
	case 1:
		if path, msg := secret.check("oauth2.client_secret"); msg != "" {
			errs.Warn(path, "%s", msg+secretLater)
		}
	default:
		add("oauth2.client_secret", "only one of client_secret, client_secret_file and client_secret_env may be set")
	}
	for i, s := range o.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			add(fmt.Sprintf("oauth2.scopes[%d]", i), "must be one non-empty scope without spaces")
		}
	}
}

// validateHeaders reports bad extra headers; otherAuth is whether a bearer
// token or oauth2 sets Authorization already.
func validateHeaders(headers map[string]string, otherAuth bool, errs *source.Problems) {
	add := errs.Add
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		switch {
		case !validHeaderName(k):
			add("headers."+k, "is not a valid header name")
		case strings.ContainsAny(headers[k], "\r\n\x00"):
			add("headers."+k, "must not contain line breaks")
		case strings.EqualFold(k, "Authorization") && otherAuth:
			add("headers."+k, "conflicts with the bearer token or oauth2 settings")
		}
	}
}

// secretLater ends the warning for a secret not readable now: it is read
// at every request, so it may be provided later (an EnvironmentFile that
// only the service has), and the source is down until it is.
const secretLater = "; the source's runs fail until it is readable"

// checkURL returns why s is not a usable base or token URL, or "".
func checkURL(s string) string {
	if s == "" {
		return "is required"
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an absolute http or https URL"
	}
	if u.User != nil {
		// Credentials in a URL end up in logs and error messages.
		return "must not contain credentials; use bearer_token or oauth2"
	}
	return ""
}

// readError phrases a failed read as `cannot read "x": no such file or directory`.
func readError(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("cannot read %q: %v", path, err)
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}

// secretSource is a secret given inline, as a file or as an environment variable.
type secretSource struct {
	value Secret
	file  string
	env   string
}

func (s secretSource) count() int {
	n := 0
	for _, set := range []bool{s.value != "", s.file != "", s.env != ""} {
		if set {
			n++
		}
	}
	return n
}

// check validates the one form that is set; prefix is the inline field's path
// ("bearer_token"), the others are prefix+"_file" and prefix+"_env".
func (s secretSource) check(prefix string) (path, msg string) {
	switch {
	case s.file != "":
		path = prefix + "_file"
	case s.env != "":
		path = prefix + "_env"
	default:
		path = prefix
	}
	if _, err := s.read(); err != nil {
		return path, err.Error()
	}
	return "", ""
}

// read returns the secret, reading the file or variable now. Surrounding
// white space is dropped: files written by editors and `echo` end in a newline.
// Its errors never contain the value.
func (s secretSource) read() (string, error) {
	var v string
	switch {
	case s.file != "":
		b, err := os.ReadFile(s.file)
		if err != nil {
			return "", errors.New(readError(s.file, err))
		}
		v = strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%q is empty", s.file)
		}
	case s.env != "":
		v = strings.TrimSpace(os.Getenv(s.env))
		if v == "" {
			return "", fmt.Errorf("environment variable %q is not set or empty", s.env)
		}
	default:
		v = strings.TrimSpace(string(s.value))
		if v == "" {
			return "", errors.New("is empty")
		}
	}
	if strings.ContainsAny(v, "\r\n") {
		// A token with a line break would split the Authorization header.
		return "", errors.New("must be a single line")
	}
	return v, nil
}
