import { Link } from 'react-router';
import { EmptyState } from '../../design/index.ts';

export function NotFoundScreen() {
  return (
    <div className="screen">
      <h1>Page not found</h1>
      <EmptyState title="There is no screen at this address.">
        <p>
          <Link to="/">Go to your home screen</Link> or find a patient with the search box above.
        </p>
      </EmptyState>
    </div>
  );
}
