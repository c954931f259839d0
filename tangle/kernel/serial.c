/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"

#define COM1      0x3f8
#define UART_DATA 0         /* receive / transmit, DLL when DLAB=1 */
#define UART_IER  1         /* interrupt enable, DLM when DLAB=1 */
#define UART_FCR  2         /* FIFO control */
#define UART_LCR  3         /* line control */
#define UART_MCR  4         /* modem control */
#define UART_LSR  5         /* line status */
#define LCR_DLAB  0x80
#define LSR_THRE  0x20      /* transmit holding register empty */
#define MCR_LOOP  0x10

static bool serial_present;

void console_init(void)
{
	outb(COM1 + UART_IER, 0x00);            /* no interrupts: polled */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1);              /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03);            /* 8 bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0xc7);            /* FIFOs on, cleared */

	outb(COM1 + UART_MCR, MCR_LOOP | 0x0e); /* loopback, RTS, OUT1/2 */
	outb(COM1 + UART_DATA, 0xae);
	serial_present = inb(COM1 + UART_DATA) == 0xae;
	outb(COM1 + UART_MCR, 0x0b);            /* DTR, RTS, OUT2 */
}

bool console_present(void)
{
	return serial_present;
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		pause();
	outb(COM1 + UART_DATA, (u8)c);
}

void console_putc(char c)
{
	if (!serial_present)
		return;
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}
