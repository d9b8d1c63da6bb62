// SPDX-License-Identifier: GPL-2.0
/*
 * klp-agent: the guest end of the playground's control channel, on ttyS1.
 * ttyS0 stays the user's: nothing the playground does shows up or waits there.
 *
 * One line per frame; payloads are base64 so any bytes survive the line:
 *   host -> guest   @@KLP <id> exec <base64 command>
 *   guest -> host   @@KLP <id> <exit status> <base64 stdout> <base64 stderr>
 *   guest -> host   @@KLP 0 ready <base64 kernel release>        (at start)
 *
 * Each request runs in its own process (so requests run concurrently and a
 * hung command blocks nobody else), and each answer leaves in one write(2):
 * the tty layer serialises whole writes, so frames never interleave.
 * Written in C because a shell agent spent ~400 ms per request forking
 * base64/flock/cat under emulation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct buf {
	char *data;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data)
			_exit(111);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

static void put_b64(struct buf *b, const unsigned char *p, size_t n)
{
	char q[4];
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		q[0] = b64[v >> 18]; q[1] = b64[v >> 12 & 63];
		q[2] = b64[v >> 6 & 63]; q[3] = b64[v & 63];
		put(b, q, 4);
	}
	if (n - i == 1) {
		unsigned v = p[i] << 16;
		q[0] = b64[v >> 18]; q[1] = b64[v >> 12 & 63]; q[2] = '='; q[3] = '=';
		put(b, q, 4);
	} else if (n - i == 2) {
		unsigned v = p[i] << 16 | p[i + 1] << 8;
		q[0] = b64[v >> 18]; q[1] = b64[v >> 12 & 63]; q[2] = b64[v >> 6 & 63]; q[3] = '=';
		put(b, q, 4);
	}
}

static int unb64(const char *s, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		const char *at = strchr(b64, *s);
		if (!at)
			return -1;
		acc = acc << 6 | (unsigned)(at - b64);
		bits += 6;
		if (bits >= 8) {
			unsigned char c = acc >> (bits - 8);
			bits -= 8;
			put(out, &c, 1);
		}
	}
	if (!out->data)
		put(out, "", 0);
	return 0;
}

static int tty = -1;

static void send_frame(struct buf *frame)
{
	size_t off = 0;

	while (off < frame->len) {
		ssize_t n = write(tty, frame->data + off, frame->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += n;
	}
}

/* Runs one command in its own process; sends its answer frame. */
static void run(const char *id, const char *command)
{
	int out[2], err[2];
	struct buf o = {0}, e = {0}, frame = {0};
	char chunk[8192], head[64];
	struct pollfd fds[2];
	int status = 0, open_fds = 2;
	pid_t pid;

	if (pipe(out) || pipe(err))
		_exit(111);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]); close(err[0]); close(out[1]); close(err[1]);
		if (null > 2)
			close(null);
		close(tty);
		if (chdir("/root"))
			chdir("/");
		setsid();
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	fds[0].fd = out[0]; fds[0].events = POLLIN;
	fds[1].fd = err[0]; fds[1].events = POLLIN;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				put(i ? &e : &o, chunk, n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	snprintf(head, sizeof(head), "@@KLP %s %d ", id,
		 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	put(&frame, head, strlen(head));
	put_b64(&frame, (unsigned char *)o.data, o.len);
	put(&frame, " ", 1);
	put_b64(&frame, (unsigned char *)e.data, e.len);
	put(&frame, "\n", 1);
	send_frame(&frame);
}

static void handle(char *line)
{
	char *tag = strtok(line, " "), *id = strtok(NULL, " "), *op = strtok(NULL, " "), *arg = strtok(NULL, " ");
	struct buf command = {0}, frame = {0};

	if (!tag || strcmp(tag, "@@KLP") || !id || !op)
		return;
	if (strcmp(op, "exec") || unb64(arg ? arg : "", &command)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "@@KLP %s 127 ", id);
		put(&frame, msg, strlen(msg));
		snprintf(msg, sizeof(msg), "klp-agent: bad request '%s'\n", op);
		put_b64(&frame, (unsigned char *)msg, strlen(msg));
		put(&frame, "\n", 1);
		send_frame(&frame);
		return;
	}
	if (fork() == 0) {
		/* The agent ignores SIGCHLD (no zombies); this process must not, or
		 * waitpid() finds no child and every exit status reads as 0. */
		signal(SIGCHLD, SIG_DFL);
		run(id, command.data);
		_exit(0);
	}
	free(command.data);
}

int main(void)
{
	struct termios t;
	struct utsname u;
	struct buf line = {0}, frame = {0};
	char chunk[4096];

	/* Children are reaped by the kernel: no zombies from finished requests. */
	signal(SIGCHLD, SIG_IGN);
	tty = open("/dev/ttyS1", O_RDWR | O_NOCTTY);
	if (tty < 0)
		return 1;
	if (tcgetattr(tty, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		tcsetattr(tty, TCSANOW, &t);
	}
	uname(&u);
	put(&frame, "@@KLP 0 ready ", 14);
	put_b64(&frame, (unsigned char *)u.release, strlen(u.release));
	put(&frame, "\n", 1);
	send_frame(&frame);

	for (;;) {
		ssize_t n = read(tty, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			sleep(1);
			continue;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				put(&line, "", 0);
				handle(line.data);
				line.len = 0;
			} else if (chunk[i] != '\r') {
				put(&line, &chunk[i], 1);
			}
		}
	}
}
