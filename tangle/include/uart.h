/* Tangled from chapters/02-console.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define COM1      0x3f8
#define COM1_IRQ  4         /* its ISA interrupt line */
#define UART_DATA 0         /* receive / transmit, DLL when DLAB=1 */
#define UART_IER  1         /* interrupt enable, DLM when DLAB=1 */
#define UART_FCR  2         /* FIFO control */
#define UART_LCR  3         /* line control */
#define UART_MCR  4         /* modem control */
#define UART_LSR  5         /* line status */
#define IER_RDI   0x01      /* interrupt when received data is available */
#define LCR_DLAB  0x80
#define LSR_DR    0x01      /* data ready */
#define LSR_THRE  0x20      /* transmit holding register empty */
#define LSR_TEMT  0x40      /* transmitter empty: holding and shift registers */
#define MCR_LOOP  0x10
