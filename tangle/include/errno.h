/* Tangled from chapters/13-syscalls.nw chapters/14-irq.nw chapters/21-ipi.nw chapters/22-sched.nw chapters/23-sleeping-locks.nw chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#define EBADF   9       /* bad file descriptor */
#define EFAULT  14      /* bad address */
#define EINVAL  22      /* invalid argument */
#define ENOSYS  38      /* no such system call */

#define ENOMEM  12      /* out of memory */
#define EBUSY   16      /* device or resource busy */

#define ENXIO   6       /* no such device or address */
#define EDEADLK 35      /* resource deadlock would occur */

#define EPERM   1       /* operation not permitted */
#define ESRCH   3       /* no such process */
#define EINTR   4       /* interrupted */

#define ETIME   62      /* timer expired */

#define ENODEV  19      /* no such device */
