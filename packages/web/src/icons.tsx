/** @jsxImportSource preact */
// Inline SVG icons: part of the bundle, no icon font or CDN. All decorative (aria-hidden).
import type { ComponentChildren } from 'preact';

function Icon({ children }: { children: ComponentChildren }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
      {children}
    </svg>
  );
}

export const MenuIcon = () => (
  <Icon>
    <path d="M4 6h16M4 12h16M4 18h16" />
  </Icon>
);
export const PeopleIcon = () => (
  <Icon>
    <circle cx="9" cy="8" r="3.2" />
    <path d="M3.5 19c.6-3.2 2.8-5 5.5-5s4.9 1.8 5.5 5" />
    <path d="M15.5 5.2a3 3 0 0 1 0 5.6M17.5 14.3c1.7.6 2.7 2.2 3 4.7" />
  </Icon>
);
export const SendIcon = () => (
  <Icon>
    <path d="M4.5 12 20 4.5 16 20l-4-6.5z" />
    <path d="m12 13.5 8-9" />
  </Icon>
);
export const PlusIcon = () => (
  <Icon>
    <path d="M12 5v14M5 12h14" />
  </Icon>
);
export const HashIcon = () => (
  <Icon>
    <path d="M9 4 7 20M17 4l-2 16M4.5 9h15M3.5 15h15" />
  </Icon>
);
export const BroadcastIcon = () => (
  <Icon>
    <path d="M4 10v4l3 .5L15 19V5L7 9.5z" />
    <path d="M18 9a4 4 0 0 1 0 6" />
  </Icon>
);
export const CloseIcon = () => (
  <Icon>
    <path d="M6 6l12 12M18 6 6 18" />
  </Icon>
);
export const SettingsIcon = () => (
  <Icon>
    <path d="M4 7h10M18 7h2M4 17h2M10 17h10" />
    <circle cx="16" cy="7" r="2.2" />
    <circle cx="8" cy="17" r="2.2" />
  </Icon>
);
export const InviteIcon = () => (
  <Icon>
    <circle cx="10" cy="8" r="3.2" />
    <path d="M4 19c.6-3.2 2.9-5 6-5s5.4 1.8 6 5" />
    <path d="M19 8v6M16 11h6" />
  </Icon>
);
export const BanIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M6 6l12 12" />
  </Icon>
);
export const LockIcon = () => (
  <Icon>
    <rect x="5" y="10.5" width="14" height="9.5" rx="2" />
    <path d="M8 10.5V8a4 4 0 0 1 8 0v2.5" />
  </Icon>
);
export const OpenLockIcon = () => (
  <Icon>
    <rect x="5" y="10.5" width="14" height="9.5" rx="2" />
    <path d="M8 10.5V8a4 4 0 0 1 7.7-1.5" />
  </Icon>
);
