/* sendmsg and recvmsg for the comparison with strace (peer.sh): two
 * buffers sent over a datagram socket pair and received into a short and
 * a long one, then one buffer sent to an AF_INET address (127.0.0.1,
 * port 9: whether it goes out or not, both tracers show the call); then
 * a descriptor passed over the pair (SCM_RIGHTS control data, which both
 * decode). Exits 0 when the pair carried the 10 bytes and the
 * descriptor. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	char a[] = "ping", b[] = "-pong\n", c[4], d[16];
	struct iovec w[2] = { { a, 4 }, { b, 6 } }, r[2] = { { c, sizeof(c) }, { d, sizeof(d) } };
	struct msghdr out = { .msg_iov = w, .msg_iovlen = 2 },
		      in = { .msg_iov = r, .msg_iovlen = 2 };
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct msghdr udp = {
		.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = w, .msg_iovlen = 1
	};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl_out, ctl_in;
	struct msghdr pass = { .msg_iov = w,
			       .msg_iovlen = 1,
			       .msg_control = ctl_out.b,
			       .msg_controllen = sizeof(ctl_out.b) },
		      got = { .msg_iov = r,
			      .msg_iovlen = 1,
			      .msg_control = ctl_in.b,
			      .msg_controllen = sizeof(ctl_in.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&pass);
	int sv[2], s;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || sendmsg(sv[0], &out, 0) != 10 ||
	    recvmsg(sv[1], &in, 0) != 10)
		return 1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	sendmsg(s, &udp, 0);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s, sizeof(int));
	if (sendmsg(sv[0], &pass, 0) != 4 || recvmsg(sv[1], &got, 0) != 4 || !CMSG_FIRSTHDR(&got) ||
	    CMSG_FIRSTHDR(&got)->cmsg_type != SCM_RIGHTS)
		return 1;
	return 0;
}
