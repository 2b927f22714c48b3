/** A chart screen's title; the way to other sections is the chart's nav under the banner. */
export function ChartScreenHeader({ title }: { title: string }) {
  return (
    <div className="chart-screen-header">
      <h2>{title}</h2>
    </div>
  );
}
