/*
 * daemon: detach with a start-up report pipe, sd_notify over a datagram.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

int
daemon_detach(int *report_fd)
{
	char buf[4096];
	ssize_t n;
	size_t len = 0;
	pid_t pid;
	int p[2], fd;

	*report_fd = -1;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		/* The parent waits for the child's verdict, then leaves. */
		close(p[1]);
		while (len < sizeof(buf) - 1 &&
		    ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
		    (n == -1 && errno == EINTR)))
			if (n > 0)
				len += (size_t)n;
		buf[len] = '\0';
		if (strcmp(buf, "ok") == 0)
			_exit(0);
		fprintf(stderr, "%s\n", len ? buf :
		    "mistokd: failed to start (see the system log)");
		_exit(1);
	}
	close(p[0]);
	if (setsid() == -1 || chdir("/") == -1) {
		close(p[1]);
		return -1;
	}
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	*report_fd = p[1];
	return 0;
}

void
daemon_detach_report(int fd, const char *error)
{
	const char *msg = error ? error : "ok";

	if (fd == -1)
		return;
	(void)!write(fd, msg, strlen(msg));
	close(fd);
}

int
daemon_notify_enabled(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s != NULL && *s != '\0';
}

int
daemon_notify(const char *state)
{
	struct sockaddr_un sun;
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	size_t plen;
	int fd, rc;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    plen >= sizeof(sun.sun_path)) {
		log_warnx("mistokd: NOTIFY_SOCKET: unsupported address");
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("mistokd: NOTIFY_SOCKET: socket");
		return -1;
	}
	rc = (int)sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	if (rc == -1)
		log_warn("mistokd: NOTIFY_SOCKET %s", path);
	else
		log_trace(TRACE_EVENT, "mistokd: notify %s", state);
	close(fd);
	return rc == -1 ? -1 : 0;
}
