/** Initials in a circle, for a person without a photo; decorative, as the name is always beside it. */
export function InitialsAvatar({ initials }: { initials: string }) {
  return (
    <span className="h-avatar" aria-hidden="true">
      {initials}
    </span>
  );
}
