/*
 * Streaming load generator for the gateway bench, in C so that it costs the proxy under test as
 * little CPU as possible (wrk is C for the same reason). One thread, epoll, non-blocking sockets.
 *
 * Per stream: connect, write the HTTP request (prebuilt bytes), then per read: one clock read, the
 * body de-chunked and SSE events counted ("\n\n", also when split across reads or chunks). Several
 * events in one read all arrive at that read's time (their gaps are 0). TTFT = first event − the
 * moment before connect(); gaps between the CHUNKS content events (`data: [DONE]` is not one).
 * A stream counts as a success only with status 200 and exactly CHUNKS events followed by a final
 * `data: [DONE]` and the terminating chunk; anything else is a failure, counted with its reason.
 *
 * MODE=burst   STREAMS streams started at once (RAMP_MS=0) or with starts spread over RAMP_MS.
 * MODE=steady  a closed loop of STREAMS slots: slot i starts at i/STREAMS × RAMP_MS and starts a
 *              new stream when its stream ends, until DURATION_MS; measured: streams started once
 *              every slot is open (after RAMP_MS) and at least RAMP_MS before the end.
 * Prints one JSON line: percentiles (ms), counts, and its own CPU time (getrusage).
 *
 *   cc -O2 -o sse-load sse-load.c     env: TARGET (http://host:port/path), STREAMS, CHUNKS, MODE, RAMP_MS, DURATION_MS, AUTH
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 65536
#define HEADMAX 4096

typedef struct {
  int fd;
  int active;
  int record;
  int connected;
  double t0, last, ttft;
  int headlen;       /* bytes of response head gathered; -1 once the head is done */
  int chunked;
  long left;         /* bytes left in the current HTTP chunk; -1 = in a size line; -2 = in the CRLF after data */
  long size;         /* size line being parsed */
  int size_digits;
  int lastlf;
  int events;
  int complete;
  char tail[14];     /* last body bytes, to check the final event is [DONE] */
  int ngaps;
  double *gaps;
  char head[HEADMAX];
} stream_t;

static stream_t *by_fd[MAXFD];
static int streams = 1000, chunks = 64, steady = 0;
static double ramp_ms = 0, duration_ms = 0, t_start;
static struct sockaddr_in addr;
static char request[2048];
static size_t request_len;
static int ep;
static double *ttfts, *gaps;
static size_t nttft, ttft_cap, ngaps, gaps_cap;
static long started, measured, failures, open_now;
static const char *reason_names[8] = {"connect", "status", "events", "no [DONE]", "closed early", "bad framing", "read error", "head too large"};
static long reasons[8];
static const char DONE[] = "data: [DONE]\n\n";

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void finish(stream_t *s, int reason);

static void launch(int record) {
  stream_t *s = calloc(1, sizeof *s);
  s->gaps = malloc(sizeof(double) * (size_t)chunks);
  s->record = record;
  s->left = -1;
  s->active = 1;
  started++;
  open_now++;
  s->t0 = now_ms();
  s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (s->fd < 0 || s->fd >= MAXFD) { finish(s, 0); return; }
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  by_fd[s->fd] = s;
  if (connect(s->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) { finish(s, 0); return; }
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.fd = s->fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
}

static void next_slot(void);

static void finish(stream_t *s, int reason) {
  if (!s->active) return;
  s->active = 0;
  open_now--;
  if (s->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    if (s->fd < MAXFD) by_fd[s->fd] = NULL;
  }
  if (s->record) {
    if (reason < 0) {
      measured++;
      if (nttft < ttft_cap) ttfts[nttft++] = s->ttft;
      if (ngaps + (size_t)s->ngaps > gaps_cap) {
        gaps_cap = (gaps_cap + (size_t)s->ngaps) * 2;
        gaps = realloc(gaps, gaps_cap * sizeof(double));
      }
      memcpy(gaps + ngaps, s->gaps, sizeof(double) * (size_t)s->ngaps);
      ngaps += (size_t)s->ngaps;
    } else {
      failures++;
      reasons[reason]++;
    }
  }
  free(s->gaps);
  free(s);
  if (steady) next_slot();
}

static void event(stream_t *s, double now) {
  s->events++;
  if (s->events > chunks) return; /* [DONE] */
  if (s->events == 1) s->ttft = now - s->t0;
  else s->gaps[s->ngaps++] = now - s->last;
  s->last = now;
}

/* De-chunked body bytes that arrived at `now`. */
static void body(stream_t *s, const char *d, size_t n, double now) {
  if (n == 0) return;
  size_t from = 0;
  if (s->lastlf && d[0] == '\n') { event(s, now); from = 1; }
  for (;;) {
    const char *p = memmem(d + from, n - from, "\n\n", 2);
    if (!p) break;
    event(s, now);
    from = (size_t)(p - d) + 2;
  }
  s->lastlf = from < n && d[n - 1] == '\n';
  if (n >= sizeof s->tail) memcpy(s->tail, d + n - sizeof s->tail, sizeof s->tail);
  else {
    memmove(s->tail, s->tail + n, sizeof s->tail - n);
    memcpy(s->tail + sizeof s->tail - n, d, n);
  }
}

/* Returns 1 when the stream is over (finished or failed). */
static int on_read(stream_t *s, const char *d, size_t n, double now) {
  if (s->headlen >= 0) {
    size_t take = n < (size_t)(HEADMAX - s->headlen) ? n : (size_t)(HEADMAX - s->headlen);
    memcpy(s->head + s->headlen, d, take);
    int old = s->headlen;
    s->headlen += (int)take;
    char *end = memmem(s->head, (size_t)s->headlen, "\r\n\r\n", 4);
    if (!end) {
      if (s->headlen == HEADMAX) { finish(s, 7); return 1; }
      return 0;
    }
    if (s->headlen < 13 || memcmp(s->head, "HTTP/1.1 200 ", 13) != 0) { finish(s, 1); return 1; }
    size_t hl = (size_t)(end - s->head) + 4;
    for (char *p = s->head; p < end; p++)
      if (p[0] == '\n' && strncasecmp(p + 1, "transfer-encoding:", 18) == 0) { s->chunked = memmem(p, (size_t)(end - p), "chunked", 7) != NULL; break; }
    size_t consumed = hl - (size_t)old;
    d += consumed;
    n -= consumed;
    s->headlen = -1;
  }
  if (!s->chunked) { body(s, d, n, now); return 0; }
  size_t p = 0;
  while (p < n) {
    if (s->left > 0) {
      size_t k = (size_t)s->left < n - p ? (size_t)s->left : n - p;
      body(s, d + p, k, now);
      s->left -= (long)k;
      p += k;
      if (s->left == 0) s->left = -2;
      continue;
    }
    char c = d[p++];
    if (s->left == -2) {
      if (c == '\n') s->left = -1;
      continue;
    }
    /* size line: hex digits, then anything (extensions, CR) until LF */
    if (c == '\n') {
      if (s->size_digits == 0) { finish(s, 5); return 1; }
      if (s->size == 0) {
        if (s->events != chunks + 1) { finish(s, 2); return 1; }
        if (memcmp(s->tail, DONE, sizeof s->tail) != 0) { finish(s, 3); return 1; }
        s->complete = 1;
        finish(s, -1);
        return 1;
      }
      s->left = s->size;
      s->size = 0;
      s->size_digits = 0;
      continue;
    }
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v >= 0 && s->size_digits >= 0) { s->size = s->size * 16 + v; s->size_digits++; }
    else if (s->size_digits > 0) s->size_digits = -s->size_digits; /* extension or CR: stop reading digits */
  }
  return 0;
}

static long slot_next;
static void next_slot(void) {
  double t = now_ms() - t_start;
  if (t >= duration_ms) return;
  launch(t >= ramp_ms && t <= duration_ms - ramp_ms);
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
static double pct(double *xs, size_t n, double q) {
  if (n == 0) return -1;
  size_t i = (size_t)(q * (double)n);
  return xs[i < n ? i : n - 1];
}

int main(void) {
  const char *e;
  if ((e = getenv("STREAMS"))) streams = atoi(e);
  if ((e = getenv("CHUNKS"))) chunks = atoi(e);
  steady = (e = getenv("MODE")) && strcmp(e, "steady") == 0;
  ramp_ms = (e = getenv("RAMP_MS")) ? atof(e) : steady ? 1280 : 0;
  duration_ms = (e = getenv("DURATION_MS")) ? atof(e) : 4 * (ramp_ms > 1280 ? ramp_ms : 1280);
  const char *target = getenv("TARGET");
  char host[256] = "127.0.0.1", path[1024] = "/";
  int port = 80;
  if (!target || sscanf(target, "http://%255[^:/]:%d%1023s", host, &port, path) < 2) { fprintf(stderr, "TARGET=http://host:port/path\n"); return 2; }
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &addr.sin_addr);
  const char *bodytxt = "{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"max_tokens\":64}";
  /* AUTH: the Authorization header's value ("" = none: a gateway without a key store refuses any key). */
  const char *auth = (e = getenv("AUTH")) ? e : "Bearer sk-bench";
  request_len = (size_t)snprintf(request, sizeof request,
    "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n%s%s%sAccept: text/event-stream\r\nContent-Length: %zu\r\n\r\n%s",
    path, host, port, *auth ? "Authorization: " : "", auth, *auth ? "\r\n" : "", strlen(bodytxt), bodytxt);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  ttft_cap = (size_t)streams * 64;
  ttfts = malloc(sizeof(double) * ttft_cap);
  gaps_cap = (size_t)streams * (size_t)chunks;
  gaps = malloc(gaps_cap * sizeof(double));
  ep = epoll_create1(0);
  struct rusage ru0;
  getrusage(RUSAGE_SELF, &ru0);
  t_start = now_ms();
  static char buf[65536];
  struct epoll_event evs[512];
  for (;;) {
    double t = now_ms() - t_start;
    /* Starts due by now (burst with RAMP_MS=0: all at once, before the first wait). */
    while (slot_next < streams && (ramp_ms <= 0 || t >= (double)slot_next / streams * ramp_ms)) {
      slot_next++;
      launch(!steady);
    }
    if (slot_next == streams && open_now == 0) break;
    int timeout = -1;
    if (slot_next < streams) {
      double due = (double)slot_next / streams * ramp_ms - t;
      timeout = due < 0 ? 0 : (int)due; /* ms granularity: at most 1 ms late */
    }
    int n = epoll_wait(ep, evs, 512, timeout);
    if (n < 0) { if (errno == EINTR) continue; perror("epoll_wait"); return 1; }
    for (int i = 0; i < n; i++) {
      stream_t *s = by_fd[evs[i].data.fd];
      if (!s || !s->active) continue;
      if (!s->connected && (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err || write(s->fd, request, request_len) != (ssize_t)request_len) { finish(s, 0); continue; }
        s->connected = 1;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = s->fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
        continue;
      }
      if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        /* One read per wake-up: its bytes all arrived at this moment. */
        ssize_t r = read(s->fd, buf, sizeof buf);
        if (r > 0) { on_read(s, buf, (size_t)r, now_ms()); continue; }
        if (r == 0) finish(s, 4);
        else if (errno != EAGAIN && errno != EINTR) finish(s, 6);
      }
    }
  }
  double wall = now_ms() - t_start;
  struct rusage ru1;
  getrusage(RUSAGE_SELF, &ru1);
  double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e3 + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e3 +
               (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e3 + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e3;
  qsort(ttfts, nttft, sizeof(double), cmp);
  qsort(gaps, ngaps, sizeof(double), cmp);
  printf("{\"mode\":\"%s\",\"streams\":%d,\"started\":%ld,\"measured\":%ld,\"failures\":%ld,\"reasons\":{", steady ? "steady" : "burst", streams, started, measured, failures);
  int first = 1;
  for (int i = 0; i < 8; i++)
    if (reasons[i]) { printf("%s\"%s\":%ld", first ? "" : ",", reason_names[i], reasons[i]); first = 0; }
  printf("},\"ttftP50\":%.3f,\"ttftP99\":%.3f,\"gapP50\":%.3f,\"gapP99\":%.3f,\"gaps\":%zu,\"wallMs\":%.1f,\"cpuMs\":%.1f}\n",
         pct(ttfts, nttft, 0.5), pct(ttfts, nttft, 0.99), pct(gaps, ngaps, 0.5), pct(gaps, ngaps, 0.99), ngaps, wall, cpu);
  return 0;
}
