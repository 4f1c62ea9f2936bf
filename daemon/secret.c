/*
 * secret: config_secret() (declared in config.h) reads an account's
 * password from a 0600 file or the first line of a password command's
 * output. Buffers that held a secret are wiped before they are freed, and
 * no error message or log line ever carries it.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

#define SECRET_MAX	65536	/* an OAuth2 token fits; more is discarded */
#define COMMAND_TIMEOUT	60	/* seconds a password_command may take */

extern char **environ;

/* Keeps the first line of buf[0..len) as a new string; wipes buf. */
static char *
first_line(char *buf, size_t len)
{
	char *s;

	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	s = len > 0 ? xstrdup(buf) : NULL;
	explicit_bzero(buf, SECRET_MAX + 1);
	free(buf);
	return s;
}

static int
secret_file(const char *path, char **secret, char **err)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		*err = xasprintf("password file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("password file %s is not a regular file",
		    path);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		*err = xasprintf("password file %s is %s by group or others "
		    "(mode %04o); chmod 600 it", path, st.st_mode & 044 ?
		    "readable" : "writable", (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	buf = xmalloc(SECRET_MAX + 1);
	while (len < SECRET_MAX && (n = read(fd, buf + len,
	    SECRET_MAX - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*err = xasprintf("password file %s: %s", path,
			    strerror(errno));
			close(fd);
			free(first_line(buf, len));
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if ((*secret = first_line(buf, len)) == NULL) {
		*err = xasprintf("password file %s is empty", path);
		return -1;
	}
	return 0;
}

static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int
secret_command(const struct config_account *a, char **secret, char **err)
{
	char *argv[] = { "sh", "-c", a->password_command, NULL };
	char *buf, tmp[4096];
	const char *who = a->user ? a->user : "?";
	struct pollfd pfd;
	sigset_t none;
	size_t len = 0;
	ssize_t n;
	time_t deadline;
	pid_t pid;
	int fds[2], status, timedout = 0;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		*err = xasprintf("password_command for %s: pipe: %s", who,
		    strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		*err = xasprintf("password_command for %s: fork: %s", who,
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {		/* async-signal-safe calls only */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (fds[1] == STDOUT_FILENO)
			fcntl(fds[1], F_SETFD, 0);
		else if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		execve("/bin/sh", argv, environ);
		_exit(127);
	}
	close(fds[1]);
	buf = xmalloc(SECRET_MAX + 1);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	deadline = mono_now() + COMMAND_TIMEOUT;
	for (;;) {	/* read to EOF; output past SECRET_MAX is dropped */
		time_t left = deadline - mono_now();

		int r = left > 0 ? poll(&pfd, 1, (int)left * 1000) : 0;

		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0) {
			kill(pid, SIGKILL);
			timedout = 1;
			break;
		}
		if (r == -1)
			break;
		if ((n = read(fds[0], tmp, sizeof(tmp))) == 0)
			break;
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1)
			break;
		if ((size_t)n > SECRET_MAX - len)
			n = (ssize_t)(SECRET_MAX - len);
		memcpy(buf + len, tmp, (size_t)n);
		len += (size_t)n;
	}
	explicit_bzero(tmp, sizeof(tmp));
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	*secret = first_line(buf, len);
	if (timedout)
		*err = xasprintf("password_command for %s took more than %ds",
		    who, COMMAND_TIMEOUT);
	else if (status == -1)
		*err = xasprintf("password_command for %s: waitpid: %s", who,
		    strerror(errno));
	else if (WIFSIGNALED(status))
		*err = xasprintf("password_command for %s was killed by "
		    "signal %d", who, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		*err = xasprintf("password_command for %s exited with status "
		    "%d", who, WEXITSTATUS(status));
	else if (*secret == NULL)
		*err = xasprintf("password_command for %s printed nothing",
		    who);
	if (*err == NULL)
		return 0;
	if (*secret != NULL) {
		explicit_bzero(*secret, strlen(*secret));
		free(*secret);
		*secret = NULL;
	}
	return -1;
}

int
config_secret(const struct config_account *a, char **secret, char **err)
{
	*secret = NULL;
	*err = NULL;
	if (a->password_file != NULL)
		return secret_file(a->password_file, secret, err);
	if (a->password_command != NULL)
		return secret_command(a, secret, err);
	*err = xasprintf("no password_file or password_command for %s",
	    a->user ? a->user : "?");
	return -1;
}
