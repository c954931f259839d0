/* Tangled from chapters/13-syscalls.nw chapters/14-irq.nw chapters/21-ipi.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#define EBADF   9       /* bad file descriptor */
#define EFAULT  14      /* bad address */
#define EINVAL  22      /* invalid argument */
#define ENOSYS  38      /* no such system call */

#define ENOMEM  12      /* out of memory */
#define EBUSY   16      /* device or resource busy */

#define ENXIO   6       /* no such device or address */
#define EDEADLK 35      /* resource deadlock would occur */
