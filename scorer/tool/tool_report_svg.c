/*
 * scorer report: the charts, as inline SVG written here, so the page needs
 * no script library and no network.  Only numbers and our own labels go
 * into the SVG: no text from the records.  Colours come from the page's
 * style sheet by class, so the charts and the cards match.
 */
#include "tool_report.h"

/* The verdicts as a ring.  A circle of circumference 100 (r = 100 / 2pi)
 * lets each verdict be one stroke dash of its percentage: no
 * trigonometry, and the segments meet exactly. */
void
report_svg_verdicts(FILE *out, const struct report *r)
{
	static const char ring[] =
		"cx=\"21\" cy=\"21\" r=\"15.9154943\" fill=\"none\" "
		"stroke-width=\"6\"";
	double start = 0;
	char num[32], pct[32];
	int v;

	fprintf(out, "<svg class=\"chart donut\" id=\"chart-verdicts\" "
	        "viewBox=\"0 0 42 42\" width=\"210\" height=\"210\" "
	        "role=\"img\" aria-label=\"verdicts\">"
	        "<circle class=\"ring-empty\" %s/>", ring);
	for (v = 0; r->records > 0 && v < RES_NCLASS; v++) {
		double share = 100.0 * (double)r->cls[v] / (double)r->records;

		if (r->cls[v] == 0)
			continue;
		/* Dash offset 25 starts at twelve o'clock; clockwise. */
		fprintf(out, "<circle class=\"seg %s\" %s "
		        "stroke-dasharray=\"%.4f %.4f\" "
		        "stroke-dashoffset=\"%.4f\"><title>%s: %s (%s)</title>"
		        "</circle>",
		        res_class_name[v], ring, share, 100.0 - share,
		        25.0 - start, res_class_name[v],
		        report_num(num, r->cls[v]),
		        report_pct(pct, r->cls[v], r->records));
		start += share;
	}
	fprintf(out, "<text x=\"21\" y=\"21\" class=\"donut-num\" "
	        "text-anchor=\"middle\">%s</text>"
	        "<text x=\"21\" y=\"26\" class=\"donut-lbl\" "
	        "text-anchor=\"middle\">users</text></svg>",
	        report_num(num, r->records));
}

/* The grades as columns, A+ to F, then the records without a grade (could
 * not be assessed, invalid) when there are any. */
void
report_svg_grades(FILE *out, const struct report *r)
{
	const int w = 56, gap = 14, top = 22, h = 150;
	unsigned long max = 1;
	char num[32], pct[32];
	int g, n = REPORT_NGRADE - (r->grade[REPORT_NGRADE - 1] ? 0 : 1), x;

	for (g = 0; g < n; g++)
		if (r->grade[g] > max)
			max = r->grade[g];
	fprintf(out, "<svg class=\"chart bars\" id=\"chart-grades\" "
	        "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	        "role=\"img\" aria-label=\"grades\">",
	        n * (w + gap) + gap, top + h + 24, n * (w + gap) + gap,
	        top + h + 24);
	fprintf(out, "<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" "
	        "y2=\"%d\"/>", top + h, n * (w + gap) + gap, top + h);
	for (g = 0, x = gap; g < n; g++, x += w + gap) {
		/* At least one pixel, so that a grade present shows. */
		int bh = (int)((double)h * (double)r->grade[g] / (double)max +
		               0.5);

		if (bh == 0 && r->grade[g] > 0)
			bh = 1;
		fprintf(out, "<g class=\"grade g%d\"><title>grade %s: %s "
		        "(%s)</title><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		        "height=\"%d\" rx=\"3\"/>"
		        "<text class=\"bar-num\" x=\"%d\" y=\"%d\" "
		        "text-anchor=\"middle\">%s</text>"
		        "<text class=\"bar-lbl\" x=\"%d\" y=\"%d\" "
		        "text-anchor=\"middle\">%s</text></g>",
		        g, report_grade_name[g], report_num(num, r->grade[g]),
		        report_pct(pct, r->grade[g], r->records), x,
		        top + h - bh, w, bh, x + w / 2, top + h - bh - 6, num,
		        x + w / 2, top + h + 18,
		        g == REPORT_NGRADE - 1 ? "\xE2\x80\x94"
		                               : report_grade_name[g]);
	}
	fputs("</svg>", out);
}

/* A small horizontal bar: n of total. */
void
report_svg_bar(FILE *out, unsigned long n, unsigned long total,
               const char *cls)
{
	double w = total ? 120.0 * (double)n / (double)total : 0;

	if (w > 0 && w < 1)
		w = 1;
	fprintf(out, "<svg class=\"minibar\" viewBox=\"0 0 120 10\" "
	        "width=\"120\" height=\"10\" aria-hidden=\"true\">"
	        "<rect class=\"track\" width=\"120\" height=\"10\" rx=\"2\"/>"
	        "<rect class=\"%s\" width=\"%.2f\" height=\"10\" rx=\"2\"/>"
	        "</svg>", cls, w);
}
