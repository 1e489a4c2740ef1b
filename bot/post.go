package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// poster sends chat.postMessage itself rather than through slack-go: Slack answers a post with
// the whole message echoed back, blocks included, and slack-go decodes all of it into Block Kit
// types the bot never reads. For an answer of about 3 KB of blocks that made posting the largest
// cost of a reply after matching: about a quarter of the bot's CPU in a burst, and some 60 KB
// allocated per reply against 6 KB here (BenchmarkPost). poster reads only ok, error and ts, and
// reports failures with slack-go's error types (RateLimitedError, StatusCodeError,
// SlackErrorResponse) so the replier retries them as any other call.
type poster struct {
	// endpoint is the Web API base followed by chat.postMessage.
	endpoint string
	// authorization is the Authorization header's value: the bot token, as a bearer token.
	authorization []string
	http          *http.Client
}

// jsonContentType is the Content-Type of a JSON body; Slack warns when the charset is missing.
var jsonContentType = []string{"application/json; charset=utf-8"}

// maxPostResponse bounds how much of a response is read. Slack's echo of the largest message
// the bot sends (50 blocks of at most 3,000 characters) stays well inside it.
const maxPostResponse = 4 << 20

// postRequest is chat.postMessage's body. Unfurling is turned off explicitly: an answer's source
// links would otherwise expand into cards.
type postRequest struct {
	Channel     string        `json:"channel"`
	Text        string        `json:"text"`
	Blocks      []slack.Block `json:"blocks,omitempty"`
	ThreadTS    string        `json:"thread_ts,omitempty"`
	UnfurlLinks bool          `json:"unfurl_links"`
	UnfurlMedia bool          `json:"unfurl_media"`
}

// postResponse is the part of chat.postMessage's response the bot reads; the echoed message is
// skipped without being decoded.
type postResponse struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	TS       string `json:"ts"`
	Metadata struct {
		// Messages say what was wrong, e.g. with each block of an invalid_blocks error.
		Messages []string `json:"messages"`
	} `json:"response_metadata"`
}

func newPoster(apiURL, token string, httpClient *http.Client) *poster {
	return &poster{endpoint: apiURL + "chat.postMessage", authorization: []string{"Bearer " + token}, http: httpClient}
}

// post sends m to channel, in the thread threadTS when it is set, and returns the message's ts.
func (p *poster) post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	body, err := newPostBody(postRequest{Channel: channel, Text: m.Text, Blocks: m.Blocks, ThreadTS: threadTS})
	if err != nil {
		return "", fmt.Errorf("encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, body)
	if err != nil {
		_ = body.Close()
		return "", err
	}
	req.ContentLength = int64(body.Len())
	// A JSON body takes the token only as a bearer token. The values are shared, never changed.
	req.Header = http.Header{"Content-Type": jsonContentType, "Authorization": p.authorization}
	resp, err := p.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := statusError(resp); err != nil {
		return "", err
	}
	return readPostResponse(resp.Body)
}

// statusError is the error of a response that is not a 200, as slack-go reports it: a 429
// carries Slack's Retry-After. A 429 without a Retry-After in seconds is left to the replier's
// back-off, since Slack's own answer is to wait and try again.
func statusError(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			return &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
		}
	}
	return slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
}

// postBody is a request body held in a pooled buffer. The buffer goes back to the pool when the
// HTTP client closes the body, which it does once it has sent the request or given up on it
// (possibly after Do has returned), never before.
type postBody struct {
	*bytes.Reader
	buf    *bytes.Buffer
	closed sync.Once
}

func newPostBody(v any) (*postBody, error) {
	buf := buffers.Get().(*bytes.Buffer)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		putBuffer(buf)
		return nil, err
	}
	return &postBody{Reader: bytes.NewReader(buf.Bytes()), buf: buf}, nil
}

// Close hands the buffer back; the HTTP client may call it more than once.
func (b *postBody) Close() error {
	b.closed.Do(func() { putBuffer(b.buf) })
	return nil
}

// maxPooledBuffer is the largest buffer kept for reuse: one an unusually long echo grew is left
// to the garbage collector rather than held for good.
const maxPooledBuffer = 256 << 10

// buffers hold requests while they are sent and responses while they are read: two per reply
// in flight, reused across replies rather than grown anew for every message and echo.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBuffer returns buf to the pool, unless an unusually large message grew it.
func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		buf.Reset()
		buffers.Put(buf)
	}
}

// readPostResponse reads a 200's body: the ts of the message posted, or Slack's error. A body
// that is not JSON (an HTML page from a proxy) or is cut short gives the decoder's or the
// reader's error, which the replier retries.
func readPostResponse(body io.Reader) (string, error) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	// Read to the end, so the connection goes back to the pool for the next reply.
	if _, err := buf.ReadFrom(io.LimitReader(body, maxPostResponse)); err != nil {
		return "", fmt.Errorf("read chat.postMessage response: %w", err)
	}
	var r postResponse
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		return "", fmt.Errorf("read chat.postMessage response: %w", err)
	}
	switch {
	case r.OK:
		return r.TS, nil
	case r.Error == "":
		return "", errors.New("chat.postMessage answered ok false with no error code")
	case len(r.Metadata.Messages) > 0:
		return "", fmt.Errorf("%w (%s)", slack.SlackErrorResponse{Err: r.Error}, strings.Join(r.Metadata.Messages, "; "))
	}
	return "", slack.SlackErrorResponse{Err: r.Error}
}
