import { Link } from 'react-aria-components';
import { useParams } from 'react-router';

/** A chart screen's title, with the way back to the chart at a glance. */
export function ChartScreenHeader({ title }: { title: string }) {
  const { patientId } = useParams() as { patientId: string };
  return (
    <div className="chart-screen-header">
      <Link className="chart-back" href={`/patients/${patientId}`}>
        ← Chart summary
      </Link>
      <h2>{title}</h2>
    </div>
  );
}
