/* Tangled from chapters/14-irq.nw chapters/22-sched.nw chapters/24-softirq.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "irq.h"
#include "spinlock.h"
#include "uart.h"
#include "sched.h"
#include "softirq.h"

#include "monitor.h"

static spinlock_t rx_lock = SPINLOCK_INIT;
static char rx_line[128], done_line[128];
static unsigned rx_len;
static volatile unsigned lines_received;
#define RX_RING 256
static char rx_ring[RX_RING];
static unsigned rx_ring_head, rx_ring_count;
unsigned long rx_ring_received, rx_ring_overruns;
static void serial_rx_bottom_half(struct tasklet *t);
static DECLARE_TASKLET(serial_rx_tasklet, serial_rx_bottom_half);

irqreturn_t serial_interrupt(int irq, void *dev_id)
{
	irqreturn_t ret = IRQ_NONE;

	(void)irq, (void)dev_id;
	spin_lock(&rx_lock);
	while (inb(COM1 + UART_LSR) & LSR_DR) {
		char c = inb(COM1 + UART_DATA);
		ret = IRQ_HANDLED;
		if (rx_ring_count < RX_RING) {
			rx_ring[(rx_ring_head + rx_ring_count++) % RX_RING] = c;
			rx_ring_received++;
		} else {
			rx_ring_overruns++;
		}
	}
	spin_unlock(&rx_lock);
	if (ret == IRQ_HANDLED)
		tasklet_schedule(&serial_rx_tasklet);
	return ret;
}

void serial_irq_init(void)
{
	if (request_irq(COM1_IRQ, serial_interrupt, IRQF_SHARED, "serial", &rx_lock))
		panic("serial: IRQ %d is taken", COM1_IRQ);
	outb(COM1 + UART_IER, IER_RDI);
}

unsigned serial_lines_received(void)
{
	return lines_received;
}

void serial_last_line(char *buf, size_t size)
{
	u64 f = spin_lock_irqsave(&rx_lock);

	strlcpy(buf, done_line, size);
	spin_unlock_irqrestore(&rx_lock, f);
}

static void serial_rx_bottom_half(struct tasklet *t)
{
	(void)t;
	u64 f = spin_lock_irqsave(&rx_lock);

	while (rx_ring_count) {
		char c = rx_ring[rx_ring_head];
		rx_ring_head = (rx_ring_head + 1) % RX_RING;
		rx_ring_count--;
		if (READ_ONCE(monitor_listening)) {
			spin_unlock_irqrestore(&rx_lock, f);
			monitor_take_byte(c);
			f = spin_lock_irqsave(&rx_lock);
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (rx_len) {
				rx_line[rx_len] = '\0';
				memcpy(done_line, rx_line, rx_len + 1);
				rx_len = 0;
				lines_received++;
				wake_up(&serial_line_wait);
			}
		} else if (rx_len < sizeof(rx_line) - 1) {
			rx_line[rx_len++] = c;
		}
	}
	spin_unlock_irqrestore(&rx_lock, f);
}
