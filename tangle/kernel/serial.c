/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "uart.h"

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
