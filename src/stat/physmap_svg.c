/* SPDX-License-Identifier: MIT */
/*
 * stat/physmap_svg.c - the picture of physical memory: kmm_physmap_svg() and
 * the "physmap.svg" file, one cell per frame (or group of frames) coloured by
 * owner, drawn from one walk of the memmap (physmap.c, physmap.h).
 *
 * Locking: the walk's (physmap.c); the cells are drawn and printed with no
 * lock held.  As the walk, nothing here allocates from libkmm or the C
 * library: the cells are mmap()ed.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <kmm/kmm.h>
#include "boot/machine.h"
#include "buddy/internal.h"
#include "stat/physmap.h"
#include "stat/stat.h"

/*
 * The picture.  A grid of SVG_COLS cells a row; a cell is one frame, or on a
 * machine of more than SVG_MAX_CELLS frames a power-of-two group of frames
 * coloured by the owner of most of them.  Each row's cells of one colour are
 * merged into one rect; each zone is outlined, with a band and its name at
 * the left; the legend on the right gives each colour's total.
 */
#define SVG_COLS       256
#define SVG_MAX_CELLS  65536UL
#define SVG_CELL       4   /* pixels a cell */
#define SVG_LEFT       150 /* the address ticks, then the zone labels */
#define SVG_TOP	       80  /* the title */
#define SVG_LEGEND_X   (SVG_LEFT + SVG_COLS * SVG_CELL + 28)
#define SVG_WIDTH      (SVG_LEGEND_X + 360)
#define SVG_TOP_CACHES 12 /* caches named in the legend */
#define SVG_NO_FRAME   UINT32_MAX

/* Cell keys: a free order, SVG_KEY_KIND + another kind, or SVG_KEY_SLAB + a cache index. */
#define SVG_KEY_KIND	   NR_PAGE_ORDERS
#define SVG_KEY_SLAB_OTHER (SVG_KEY_KIND + NR_PM_KINDS) /* a cache outside the snapshot */
#define SVG_KEY_SLAB	   (SVG_KEY_SLAB_OTHER + 1)

#define SVG_TALLY 8 /* owners counted in one cell (more are rare and left out) */

struct svg {
	unsigned long per_cell; /* frames per cell, a power of two */
	unsigned long nr_cells;
	uint32_t *cells;	 /* each cell's key, SVG_NO_FRAME past the last frame */
	size_t cells_len;	 /* the mapping of cells, by_size and rank */
	struct pm_pair *by_size; /* (~pages, cache index) of the caches with frames, sorted */
	unsigned long *rank;	 /* each cache's place in by_size, or PM_NONE */
	unsigned long nr_ranked;
	unsigned long cur; /* the cell being filled */
	/* the owners of the cell being filled and their frames */
	struct {
		uint32_t key;
		unsigned long nr;
	} tally[SVG_TALLY];
	int nr_tally;
};

/* The colours: free orders from small (stronger) to large (paler), then the kinds. */
static const char *const free_colours[NR_PAGE_ORDERS] = {"#4f9a2a", "#65a73d", "#7bb451", "#90c066",
							 "#a4cb7b", "#b6d58f", "#c6dfa2", "#d4e7b4",
							 "#e0eec5", "#e9f3d4", "#f1f7e3"};
static const char *const slab_colours[SVG_TOP_CACHES] = {
	"#d32f2f", "#8e24aa", "#3949ab", "#00897b", "#c2185b", "#6d4c41",
	"#e57373", "#ba68c8", "#7986cb", "#4db6ac", "#f06292", "#a1887f"};
#define SVG_SLAB_OTHER_COLOUR "#cfd8dc"
static const char *const zone_colours[MAX_NR_ZONES] = {"#795548", "#3f51b5", "#00897b", "#9c27b0"};

/* The other kinds in the legend's order: CSS class, colour, words. */
static const struct {
	enum physmap_kind kind;
	const char *cls;
	const char *colour;
	const char *label;
} kind_legend[] = {
	{PM_UNINIT, "u", "#fbfbf6", "free, memmap not initialised yet"},
	{PM_PCP, "p", "#4dd0e1", "free on per-CPU lists (or isolated)"},
	{PM_RESERVED, "r", "#37474f", "reserved: memmap, boot memory"},
	{PM_TABLE, "t", "#fdd835", "page tables"},
	{PM_VMALLOC, "v", "#1e88e5", "vmalloc / vmap pages"},
	{PM_LARGE, "l", "#ff7043", "kmalloc-large"},
	{PM_OTHER, "o", "#a1a1a1", "alloc_pages (other owners)"},
};
#define NR_KIND_LEGEND (int)(sizeof(kind_legend) / sizeof(kind_legend[0]))

static uint32_t owner_key(const struct pm_owner *o)
{
	if (o->kind == PM_FREE)
		return (uint32_t)o->detail;
	if (o->kind == PM_SLAB)
		return o->detail == PM_NONE ? SVG_KEY_SLAB_OTHER
					    : SVG_KEY_SLAB + (uint32_t)o->detail;
	return SVG_KEY_KIND + o->kind;
}

/* finish_cell - the key with most frames in the cell being filled goes into the grid. */
static void finish_cell(struct svg *g)
{
	unsigned long best = 0;
	int i;

	for (i = 0; i < g->nr_tally; i++)
		if (g->tally[i].nr > best) {
			best = g->tally[i].nr;
			g->cells[g->cur] = g->tally[i].key;
		}
	g->nr_tally = 0;
}

static void emit_cells(struct physmap *pm, const struct zone *zone, const struct pm_run *run)
{
	struct svg *g = pm->arg;
	uint32_t key = owner_key(&run->owner);
	unsigned long pfn = run->pfn, left = run->nr;

	if (g->per_cell == 1) {
		while (left--)
			g->cells[pfn++] = key;
		return;
	}
	while (left) {
		unsigned long cell = pfn / g->per_cell, take = (cell + 1) * g->per_cell - pfn;
		int i;

		if (take > left)
			take = left;
		if (cell != g->cur) {
			finish_cell(g);
			g->cur = cell;
		}
		for (i = 0; i < g->nr_tally && g->tally[i].key != key; i++)
			;
		if (i < g->nr_tally) {
			g->tally[i].nr += take;
		} else if (i < SVG_TALLY) {
			g->tally[i].key = key;
			g->tally[i].nr = take;
			g->nr_tally++;
		}
		pfn += take;
		left -= take;
	}
}

/*
 * Colour classes: a free order (0..10), then a kind of kind_legend[], then a
 * named cache by rank, then the other caches.
 */
#define SVG_CLASS_KIND	NR_PAGE_ORDERS
#define SVG_CLASS_SLAB	(SVG_CLASS_KIND + NR_KIND_LEGEND)
#define SVG_CLASS_OTHER (SVG_CLASS_SLAB + SVG_TOP_CACHES)

/* cell_class - the colour class of the cells of @key. */
static int cell_class(const struct svg *g, uint32_t key)
{
	int k;

	if (key < NR_PAGE_ORDERS)
		return (int)key;
	if (key >= SVG_KEY_SLAB && g->rank[key - SVG_KEY_SLAB] < SVG_TOP_CACHES)
		return SVG_CLASS_SLAB + (int)g->rank[key - SVG_KEY_SLAB];
	if (key >= SVG_KEY_SLAB_OTHER)
		return SVG_CLASS_OTHER;
	for (k = 0; k < NR_KIND_LEGEND - 1; k++)
		if (SVG_KEY_KIND + kind_legend[k].kind == key)
			break;
	return SVG_CLASS_KIND + k;
}

/* class_name - the CSS class name of colour class @cls, as svg_style() defines it. */
static const char *class_name(int cls, char *buf, size_t len)
{
	if (cls < SVG_CLASS_KIND)
		snprintf(buf, len, "f%d", cls);
	else if (cls < SVG_CLASS_SLAB)
		snprintf(buf, len, "%s", kind_legend[cls - SVG_CLASS_KIND].cls);
	else if (cls < SVG_CLASS_OTHER)
		snprintf(buf, len, "s%d", cls - SVG_CLASS_SLAB);
	else
		snprintf(buf, len, "sx");
	return buf;
}

/* xml_text - @s with XML's special characters escaped. */
static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void svg_title(FILE *out, const struct svg *g)
{
	char a[32], b[32];
	bool first = true;
	int nid, zid;

	fprintf(out,
		"<text x=\"16\" y=\"28\" font-size=\"19\" font-weight=\"bold\">libkmm physical "
		"memory: mem=%s, %d node%s, %lu page frames</text>\n",
		format_size(kmm_machine.mem_bytes, a, sizeof(a)), kmm_nr_online_nodes,
		kmm_nr_online_nodes > 1 ? "s" : "", kmm_max_pfn);
	fprintf(out, "<text x=\"16\" y=\"50\" font-size=\"13\">zones:");
	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (!populated_zone(zone))
				continue;
			fprintf(out, "%s Node %d %s %s-%s", first ? "" : " &#183;", nid, zone->name,
				format_size(PFN_PHYS(zone->zone_start_pfn), a, sizeof(a)),
				format_size(PFN_PHYS(zone_end_pfn(zone)), b, sizeof(b)));
			first = false;
		}
	fprintf(out, "</text>\n");
	fprintf(out,
		"<text x=\"16\" y=\"68\" font-size=\"12\" fill=\"#555\">one cell = %lu frame%s "
		"(%s)%s; a row = %s; addresses grow left to right, top to bottom</text>\n",
		g->per_cell, g->per_cell > 1 ? "s" : "",
		format_size(g->per_cell * PAGE_SIZE, a, sizeof(a)),
		g->per_cell > 1 ? ", coloured by the owner of most of them" : "",
		format_size((unsigned long long)g->per_cell * SVG_COLS * PAGE_SIZE, b, sizeof(b)));
}

/* svg_zones - each zone outlined on the grid, with a band and its name at the left. */
static void svg_zones(FILE *out, const struct svg *g)
{
	const unsigned long x0 = SVG_LEFT, x1 = SVG_LEFT + SVG_COLS * SVG_CELL;
	unsigned long label_y = 0; /* labels go no higher than below the last one */
	int nid, zid;

	for (nid = 0; nid < kmm_nr_online_nodes; nid++)
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			unsigned long a, b, y0, y1, xa, xb;
			char node[16] = "";

			if (!populated_zone(zone))
				continue;
			a = zone->zone_start_pfn / g->per_cell;
			b = (zone_end_pfn(zone) + g->per_cell - 1) / g->per_cell;
			y0 = SVG_TOP + a / SVG_COLS * SVG_CELL;
			y1 = SVG_TOP + (b - 1) / SVG_COLS * SVG_CELL;
			xa = x0 + a % SVG_COLS * SVG_CELL;
			xb = x0 + ((b - 1) % SVG_COLS + 1) * SVG_CELL;
			if (kmm_nr_online_nodes > 1)
				snprintf(node, sizeof(node), "N%d ", nid);
			if (label_y < y0 + 11)
				label_y = y0 + 11;
			fprintf(out,
				"<rect x=\"%d\" y=\"%lu\" width=\"6\" height=\"%lu\" "
				"fill=\"%s\"/>\n"
				"<text x=\"%d\" y=\"%lu\" font-size=\"12\" font-weight=\"bold\" "
				"text-anchor=\"end\" fill=\"%s\">%s%s</text>\n",
				SVG_LEFT - 12, y0, y1 + SVG_CELL - y0, zone_colours[zid],
				SVG_LEFT - 18, label_y, zone_colours[zid], node, zone->name);
			label_y += 14;
			/* the outline of a row-major range: a staircase of eight corners */
			fprintf(out,
				"<polygon points=\"%lu,%lu %lu,%lu %lu,%lu %lu,%lu %lu,%lu %lu,%lu "
				"%lu,%lu %lu,%lu\" fill=\"none\" stroke=\"%s\" "
				"stroke-width=\"1.5\"/>\n",
				xa, y0, x1, y0, x1, y1, xb, y1, xb, y1 + SVG_CELL, x0,
				y1 + SVG_CELL, x0, y0 + SVG_CELL, xa, y0 + SVG_CELL,
				zone_colours[zid]);
		}
}

/* svg_ticks - the physical address at the left of every few rows. */
static void svg_ticks(FILE *out, const struct svg *g, unsigned long rows)
{
	unsigned long step = 1, r;
	char a[32];

	while (rows / step > 16)
		step *= 2;
	for (r = 0; r < rows; r += step)
		fprintf(out,
			"<text x=\"46\" y=\"%lu\" font-size=\"11\" fill=\"#666\" "
			"text-anchor=\"end\">%s</text>\n",
			SVG_TOP + r * SVG_CELL + 9,
			format_size((unsigned long long)r * SVG_COLS * g->per_cell * PAGE_SIZE, a,
				    sizeof(a)));
}

/* svg_cells - the grid: a rect per run of cells of one colour in a row. */
static void svg_cells(FILE *out, const struct svg *g)
{
	unsigned long i = 0;

	while (i < g->nr_cells) {
		unsigned long row_end = (i / SVG_COLS + 1) * SVG_COLS, j = i + 1;
		char name[16];
		int cls;

		if (g->cells[i] == SVG_NO_FRAME) {
			i++;
			continue;
		}
		if (row_end > g->nr_cells)
			row_end = g->nr_cells;
		cls = cell_class(g, g->cells[i]);
		while (j < row_end && g->cells[j] != SVG_NO_FRAME &&
		       cell_class(g, g->cells[j]) == cls)
			j++;
		fprintf(out,
			"<rect x=\"%lu\" y=\"%lu\" width=\"%lu\" height=\"%d\" class=\"%s\"/>\n",
			SVG_LEFT + i % SVG_COLS * SVG_CELL, SVG_TOP + i / SVG_COLS * SVG_CELL,
			(j - i) * SVG_CELL, SVG_CELL, class_name(cls, name, sizeof(name)));
		i = j;
	}
}

static void legend_entry(FILE *out, int x, int *y, const char *colour, const char *label,
			 unsigned long frames)
{
	char size[32];

	fprintf(out,
		"<g class=\"legend\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		"fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\"/><text x=\"%d\" y=\"%d\" "
		"font-size=\"12\">",
		x, *y, colour, x + 22, *y + 11);
	xml_text(out, label);
	fprintf(out, " <tspan fill=\"#666\">%s</tspan></text></g>\n",
		format_size((unsigned long long)frames * PAGE_SIZE, size, sizeof(size)));
	*y += 20;
}

/* Frames of slabs whose cache is not named in the legend, and how many such caches. */
static unsigned long unnamed_slab_frames(const struct physmap *pm, const struct svg *g,
					 unsigned long *nr_caches)
{
	unsigned long frames = pm->kind_pages[PM_SLAB], i;

	for (i = 0; i < g->nr_ranked && i < SVG_TOP_CACHES; i++)
		frames -= pm->cache_pages[g->by_size[i].val];
	*nr_caches = g->nr_ranked > SVG_TOP_CACHES ? g->nr_ranked - SVG_TOP_CACHES : 0;
	return frames;
}

/* The legend's height, to size the picture before drawing it. */
static int svg_legend_height(const struct physmap *pm, const struct svg *g)
{
	unsigned long nr_other, frames = unnamed_slab_frames(pm, g, &nr_other);
	unsigned long named = g->nr_ranked < SVG_TOP_CACHES ? g->nr_ranked : SVG_TOP_CACHES;

	return 22 + 36 + 20 * NR_KIND_LEGEND + 8 + 22 + 20 * (int)(named + (frames ? 1 : 0));
}

/* svg_legend - every colour with its total. */
static void svg_legend(FILE *out, const struct physmap *pm, const struct svg *g)
{
	int x = SVG_LEGEND_X, y = SVG_TOP, k;
	unsigned long i, free_frames = 0, nr_other, other_frames;
	char size[32];

	for (k = 0; k < NR_PAGE_ORDERS; k++)
		free_frames += pm->order_pages[k];
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">Owners</text>\n", x,
		y + 10);
	y += 22;
	/* free blocks: a swatch per order, smallest first */
	fprintf(out, "<g class=\"legend\">");
	for (k = 0; k < NR_PAGE_ORDERS; k++)
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" "
			"stroke=\"#999\" stroke-width=\"0.5\"/>",
			x + k * 16, y, free_colours[k]);
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\">order 0</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\" text-anchor=\"end\">10"
		"</text><text x=\"%d\" y=\"%d\" font-size=\"12\">free buddy blocks <tspan "
		"fill=\"#666\">%s</tspan></text></g>\n",
		x, y + 26, x + NR_PAGE_ORDERS * 16 - 2, y + 26, x + NR_PAGE_ORDERS * 16 + 6, y + 11,
		format_size((unsigned long long)free_frames * PAGE_SIZE, size, sizeof(size)));
	y += 36;
	for (k = 0; k < NR_KIND_LEGEND; k++)
		legend_entry(out, x, &y, kind_legend[k].colour, kind_legend[k].label,
			     pm->kind_pages[kind_legend[k].kind]);
	y += 8;
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">Slab caches, "
		"biggest "
		"first <tspan font-weight=\"normal\" fill=\"#666\">%s in all</tspan></text>\n",
		x, y + 10,
		format_size((unsigned long long)pm->kind_pages[PM_SLAB] * PAGE_SIZE, size,
			    sizeof(size)));
	y += 22;
	for (i = 0; i < g->nr_ranked && i < SVG_TOP_CACHES; i++) {
		unsigned long c = g->by_size[i].val;

		legend_entry(out, x, &y, slab_colours[i], pm->caches[c].name, pm->cache_pages[c]);
	}
	other_frames = unnamed_slab_frames(pm, g, &nr_other);
	if (other_frames) {
		char label[64];

		snprintf(label, sizeof(label), "%lu other cache%s", nr_other,
			 nr_other == 1 ? "" : "s");
		legend_entry(out, x, &y, SVG_SLAB_OTHER_COLOUR, label, other_frames);
	}
}

static void svg_style(FILE *out)
{
	int k;

	fprintf(out, "<style>");
	for (k = 0; k < NR_PAGE_ORDERS; k++)
		fprintf(out, ".f%d{fill:%s}", k, free_colours[k]);
	for (k = 0; k < NR_KIND_LEGEND; k++)
		fprintf(out, ".%s{fill:%s}", kind_legend[k].cls, kind_legend[k].colour);
	for (k = 0; k < SVG_TOP_CACHES; k++)
		fprintf(out, ".s%d{fill:%s}", k, slab_colours[k]);
	fprintf(out, ".sx{fill:%s}</style>\n", SVG_SLAB_OTHER_COLOUR);
}

/* rank_caches - the caches with frames, biggest first, and each cache's place. */
static void rank_caches(const struct physmap *pm, struct svg *g)
{
	unsigned long i;

	g->nr_ranked = 0;
	for (i = 0; i < pm->nr_caches; i++) {
		g->rank[i] = PM_NONE;
		if (!pm->cache_pages[i])
			continue;
		/* biggest first: the complement of the size sorts ascending */
		g->by_size[g->nr_ranked].key = ~pm->cache_pages[i];
		g->by_size[g->nr_ranked].val = i;
		g->nr_ranked++;
	}
	pm_sort(g->by_size, g->nr_ranked);
	for (i = 0; i < g->nr_ranked; i++)
		g->rank[g->by_size[i].val] = i;
}

static void render_svg(FILE *out, const struct physmap *pm, const struct svg *g)
{
	unsigned long rows = (g->nr_cells + SVG_COLS - 1) / SVG_COLS;
	int height = SVG_TOP + (int)rows * SVG_CELL, legend = SVG_TOP + svg_legend_height(pm, g);

	if (legend > height)
		height = legend;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, "
		"sans-serif\">\n",
		SVG_WIDTH, height + 24, SVG_WIDTH, height + 24);
	svg_style(out);
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", SVG_WIDTH,
		height + 24);
	svg_title(out, g);
	svg_ticks(out, g, rows);
	svg_cells(out, g);
	svg_zones(out, g);
	svg_legend(out, pm, g);
	fprintf(out, "</svg>\n");
}

/*
 * physmap_svg - the picture into @out.  Return: 0, -ENOMEM if scratch memory
 * cannot be mapped, -EIO if @out reports an error.
 */
static int physmap_svg(FILE *out)
{
	struct physmap pm;
	struct svg g = {.per_cell = 1};
	size_t cells_bytes;
	int ret = 0;

	if (physmap_snapshot(&pm))
		return -ENOMEM;
	while (kmm_max_pfn / g.per_cell > SVG_MAX_CELLS)
		g.per_cell *= 2;
	g.nr_cells = (kmm_max_pfn + g.per_cell - 1) / g.per_cell;
	cells_bytes = (g.nr_cells * sizeof(uint32_t) + 7) & ~7UL;
	g.cells_len = PAGE_ALIGN(cells_bytes +
				 pm.nr_caches * (sizeof(struct pm_pair) + sizeof(unsigned long)));
	g.cells =
		mmap(NULL, g.cells_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.cells == MAP_FAILED) {
		physmap_release(&pm);
		return -ENOMEM;
	}
	g.by_size = (struct pm_pair *)((char *)g.cells + cells_bytes);
	g.rank = (unsigned long *)(g.by_size + pm.nr_caches);
	memset(g.cells, 0xff, g.nr_cells * sizeof(uint32_t));
	pm.emit = emit_cells;
	pm.arg = &g;
	physmap_walk(&pm);
	finish_cell(&g);
	rank_caches(&pm, &g);
	render_svg(out, &pm, &g);
	if (fflush(out) || ferror(out))
		ret = -EIO;
	munmap(g.cells, g.cells_len);
	physmap_release(&pm);
	return ret;
}

void show_physmap_svg(FILE *out)
{
	int ret = physmap_svg(out);

	if (ret == -ENOMEM)
		fprintf(out, "<!-- physmap.svg: no memory for the walk -->\n");
}

int kmm_physmap_svg(FILE *out)
{
	if (!out)
		return -EINVAL;
	if (!kmm_booted() && kmm_boot_default() != 0)
		return -ENODEV;
	return physmap_svg(out);
}
