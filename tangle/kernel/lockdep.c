/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "sched.h"
#include "lockdep.h"

bool lock_debug = true;
unsigned lockdep_warnings;
static spinlock_t graph_lock = SPINLOCK_INIT;
static struct lock_class *classes[MAX_LOCK_CLASSES];
static u64 after[MAX_LOCK_CLASSES];     /* bit b of after[a]: a, then b */
static u64 reported[MAX_LOCK_CLASSES];  /* inversions already printed */
static int nr_classes;
static bool held_overflow_said;

void lockdep_init(void)
{
	if (cmdline_get("nolockdep"))
		lock_debug = false;
	printk("lockdep: lock debugging %s\n",
	       lock_debug ? "on (mutex checks, lock-order checker)" : "off (nolockdep)");
}

static int class_id(struct lock_class *c)
{
	if (c->id >= 0)
		return c->id;
	if (nr_classes == MAX_LOCK_CLASSES) {
		if (c->id == -1)
			printk("lockdep: more than %d lock classes; %s is not checked\n",
			       MAX_LOCK_CLASSES, c->name);
		c->id = -2;
		return -1;
	}
	classes[nr_classes] = c;
	c->id = nr_classes++;
	return c->id;
}

static bool reachable(int from, int to)
{
	u64 seen = after[from], grown;

	do {
		grown = seen;
		for (int i = 0; i < nr_classes; i++)
			if (seen & (1UL << i))
				seen |= after[i];
	} while (seen != grown);
	return seen & (1UL << to);
}

void lock_acquire(struct lock_class *c, bool trylock)
{
	struct task *t = current;
	u64 f = spin_lock_irqsave(&graph_lock);
	int id = class_id(c);

	for (int i = 0; id >= 0 && !trylock && i < t->nr_held; i++) {
		int h = t->held_locks[i];
		if (h == id) {
			if (!(reported[h] & (1UL << h))) {
				reported[h] |= 1UL << h;
				lockdep_warnings++;
				printk("lockdep: possible recursive locking: %s[%d] takes %s again\n",
				       t->name, t->pid, c->name);
				sched_bug_trace();
			}
			continue;
		}
		if (after[h] & (1UL << id))
			continue;
		if (reachable(id, h)) {
			if (!(reported[h] & (1UL << id))) {
				reported[h] |= 1UL << id;
				reported[id] |= 1UL << h;
				lockdep_warnings++;
				printk("lockdep: possible circular locking dependency detected\n");
				printk("%s[%d] is trying to acquire %s while holding %s;\n",
				       t->name, t->pid, c->name, classes[h]->name);
				printk("earlier, %s was held when %s (or a lock leading to it) "
				       "was acquired\n", c->name, classes[h]->name);
				sched_bug_trace();
			}
			continue;
		}
		after[h] |= 1UL << id;
	}
	if (id >= 0 && t->nr_held < MAX_HELD_LOCKS)
		t->held_locks[t->nr_held++] = id;
	else if (id >= 0 && !held_overflow_said) {
		held_overflow_said = true;
		printk("lockdep: %s[%d] holds more than %d sleeping locks; %s is not recorded\n",
		       t->name, t->pid, MAX_HELD_LOCKS, c->name);
	}
	spin_unlock_irqrestore(&graph_lock, f);
}

void lock_release(struct lock_class *c)
{
	struct task *t = current;

	if (c->id < 0)
		return;
	for (int i = t->nr_held - 1; i >= 0; i--)
		if (t->held_locks[i] == c->id) {
			for (int j = i; j < t->nr_held - 1; j++)
				t->held_locks[j] = t->held_locks[j + 1];
			t->nr_held--;
			return;
		}
	if (t->nr_held < MAX_HELD_LOCKS)
		printk("lockdep: %s[%d] releases %s, which it does not hold\n",
		       t->name, t->pid, c->name);
}

void lockdep_check_exit(struct task *t)
{
	if (!t->nr_held)
		return;
	lockdep_warnings++;
	printk("lockdep: %s[%d] exits holding %d sleeping lock(s), the last %s\n",
	       t->name, t->pid, t->nr_held, classes[t->held_locks[t->nr_held - 1]]->name);
	t->nr_held = 0;
}
