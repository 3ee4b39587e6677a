resource "aws_eks_cluster" "prod" {
  name     = "prod"
  role_arn = "arn:aws:iam::111122223333:role/eks"
}
resource "aws_iam_openid_connect_provider" "eks" {
  url            = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
  client_id_list = ["sts.amazonaws.com"]
}
module "irsa" {
  source    = "./modules/irsa"
  name      = "payments"
  provider_arn = aws_iam_openid_connect_provider.eks.arn
  namespace = "payments"
}
resource "kubernetes_service_account_v1" "payments" {
  metadata {
    name      = "api"
    namespace = "payments"
    annotations = {
      "eks.amazonaws.com/role-arn" = module.irsa.role_arn
    }
  }
}
resource "kubernetes_config_map_v1_data" "aws_auth" {
  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }
  data = {
    mapRoles = yamlencode([{
      rolearn  = module.irsa.role_arn
      username = "payments"
      groups   = ["system:masters"]
    }])
  }
}
