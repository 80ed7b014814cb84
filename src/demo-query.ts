/** The query the demo's Sandbox opens with: one round trip for a whole dashboard. */
export const DASHBOARD_QUERY = `query Dashboard {
  me {
    featureFlags { isVendor isWhitelabeled }
    products {
      page
      totalPages
      items { id name price averageRating store { id name } }
    }
    apps { items { id name app { reverseDomainName latestVersion iconUrl } } }
    subscriptions {
      total
      items {
        id
        status
        lineItems { productId quantity product { id name price } }
      }
    }
  }
}
`;
